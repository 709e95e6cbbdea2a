import { CliOutput } from '../cli-deps';
import type { createLiveDisplay as CreateLiveDisplay } from './live-display';
import { createPlainLogDisplay } from './plain-log-display';
import { ProgressDisplay } from './progress-display';

export type { ProgressDisplay } from './progress-display';

export interface CreateProgressDisplayOptions {
  readonly now?: () => Date;
  /** Read for `TERM=dumb` (a terminal that cannot redraw). @default process.env */
  readonly env?: Record<string, string | undefined>;
}

/**
 * The display that suits `out` (the CLI passes stderr, keeping stdout for results): the live,
 * redrawing display on a terminal, plain timestamped log lines otherwise (pipes, files, CI logs,
 * `TERM=dumb`).
 *
 * @example
 * const display = createProgressDisplay(process.stderr);
 */
export function createProgressDisplay(out: CliOutput, options: CreateProgressDisplayOptions = {}): ProgressDisplay {
  const now = options.now ?? (() => new Date());
  const canRedraw = out.isTTY === true && (options.env ?? process.env).TERM !== 'dumb';
  if (!canRedraw) return createPlainLogDisplay(out, now);
  // The live display and listr2 are loaded only for a terminal: a plain log needs neither.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLiveDisplay } = require('./live-display') as { createLiveDisplay: typeof CreateLiveDisplay };
  return createLiveDisplay({ now: () => now().getTime(), stream: out as NodeJS.WriteStream });
}
