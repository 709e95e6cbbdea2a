import { Command, Option } from 'commander';
import { warnPasswordInArgv } from './argv-password-warning';
import { askPasswordsFirst } from './ask-passwords-first';
import { CliDeps } from './cli-deps';
import { reportFailure } from './cli-errors';
import { runAndPrint } from './run-and-print';
import type { ProgressListener } from '../progress';

/** A command that works on the database named by `--target` (or PGSR_TARGET), as {@link runTargetCommand} runs it. */
export interface TargetCommand<O extends { readonly json: boolean }, R> {
  /** The options as commander hands them over: their `target` is scrubbed from errors and `json` chosen, even when they do not parse. */
  readonly raw: { readonly target?: string; readonly json?: boolean };
  /** `--target` came on the command line, not from PGSR_TARGET: a password in it is warned about (see {@link targetInArgv}). */
  readonly targetInArgv: boolean;
  /** Check the raw options; an `InvalidInputError` is one stderr line and exit 2. */
  readonly parse: () => O;
  /** The checked connection string of the target, in the parsed options. */
  readonly target: (options: O) => string;
  /** Show the live progress display on stderr (none with `--json`). @default false */
  readonly progress?: boolean;
  /** Do the work; `signal` is aborted by Ctrl-C/SIGTERM. */
  readonly run: (options: O, context: { readonly signal: AbortSignal; readonly onProgress?: ProgressListener }) => Promise<R>;
  /** The human output on stdout; with `--json` the result is printed as one JSON object instead. */
  readonly format: (result: R, options: O) => string;
}

/**
 * The `--target <postgres-url>` option, also read from PGSR_TARGET (where a password stays out of ps).
 *
 * @example
 * program.command('diff').addOption(targetOption('the database holding both schemas'));
 */
export function targetOption(description: string): Option {
  return new Option('--target <postgres-url>', description).env('PGSR_TARGET');
}

/**
 * Whether the command's `--target` came from its command line (rather than PGSR_TARGET).
 *
 * @example
 * .action(async (raw, command: Command) => setExitCode(await runTargetCommand(deps(), { raw, targetInArgv: targetInArgv(command), … })));
 */
export function targetInArgv(command: Command): boolean {
  return command.getOptionValueSource('target') === 'cli';
}

/**
 * Run a command against the target database the way every such command runs: check the options
 * (bad input: one line, exit 2), warn once about a password on the command line, ask a password the
 * server wants before any display, run the work under Ctrl-C handling with an optional progress
 * display on stderr, print the result on stdout (`--json`: one JSON object), and turn a failure into
 * one stderr line (with `--json` also `{"error":…}` on stdout) with the target's password scrubbed.
 * Returns the exit code: 0 done, 1 failed, 2 bad input, 130 interrupted.
 *
 * @example
 * .action(async (raw: RawSwapArgs, command: Command) => setExitCode(await runTargetCommand(deps(), {
 *   raw, targetInArgv: targetInArgv(command), progress: true,
 *   parse: () => parseSwapArgs(raw), target: (o) => o.swap.target,
 *   run: (o, { signal, onProgress }) => swapSchemas({ ...o.swap, signal, onProgress }),
 *   format: formatSwapSummary,
 * })));
 */
export async function runTargetCommand<O extends { readonly json: boolean }, R>(deps: CliDeps, command: TargetCommand<O, R>): Promise<number> {
  let options: O;
  try {
    options = command.parse();
  } catch (err) {
    return reportFailure(err, deps, command.raw.target ? [command.raw.target] : [], { json: command.raw.json === true });
  }
  const target = command.target(options);
  const secrets = [target];
  if (command.targetInArgv) warnPasswordInArgv([target], deps);
  try {
    await askPasswordsFirst([['target', target]], deps.passwordPrompt);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json });
  }
  return runAndPrint(deps, {
    json: options.json,
    secrets,
    progress: command.progress,
    run: (context) => command.run(options, context),
    format: (result) => command.format(result, options),
  });
}
