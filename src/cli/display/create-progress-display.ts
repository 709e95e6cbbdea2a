import { CliOutput } from '../cli-deps';
import { createLiveDisplay } from './live-display';
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
  return canRedraw ? createLiveDisplay({ now: () => now().getTime(), stream: out as NodeJS.WriteStream }) : createPlainLogDisplay(out, now);
}
