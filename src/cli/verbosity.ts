import { InvalidInputError } from '../errors';
import { CliDeps } from './cli-deps';
import { ProgressDisplay } from './display/progress-display';

/** How much the CLI says on stderr besides errors: `-q`, default, `-v`. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The global `-q/--quiet` and `-v/--verbose` flags as commander parses them. */
export interface VerbosityFlags {
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

const SILENT: ProgressDisplay = { onProgress: () => undefined, close: async () => undefined };

/**
 * The verbosity the flags ask for; both at once is bad usage.
 *
 * @example
 * verbosityFrom({ quiet: true }); // 'quiet'
 */
export function verbosityFrom(flags: VerbosityFlags): Verbosity {
  if (flags.quiet && flags.verbose) throw new InvalidInputError('-q/--quiet and -v/--verbose cannot be combined; use one of them');
  if (flags.quiet) return 'quiet';
  return flags.verbose ? 'verbose' : 'normal';
}

/**
 * The CLI's dependencies at a verbosity: quiet ones create a display that shows nothing (errors
 * still reach stderr through `reportFailure`); verbose ones make `reportFailure` add the stack.
 *
 * @example
 * const quietDeps = withVerbosity(deps, verbosityFrom(program.opts()));
 */
export function withVerbosity(deps: CliDeps, verbosity: Verbosity): CliDeps {
  return { ...deps, verbosity, ...(verbosity === 'quiet' ? { createDisplay: () => SILENT } : {}) };
}
