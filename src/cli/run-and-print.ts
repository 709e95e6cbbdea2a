import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import type { ProgressListener } from '../progress';

/** The work of a command and how its outcome is printed, as {@link runAndPrint} runs it. */
export interface PrintedWork<R> {
  /** `--json`: the result (or `{"error":…}`) as one JSON line on stdout. */
  readonly json: boolean;
  /** Connection strings whose passwords are masked in error messages. */
  readonly secrets: readonly string[];
  /** Show the live progress display on stderr (none with `json`). @default false */
  readonly progress?: boolean;
  /** Do the work; `signal` is aborted by Ctrl-C/SIGTERM. */
  readonly run: (context: { readonly signal: AbortSignal; readonly onProgress?: ProgressListener }) => Promise<R>;
  /** The human output on stdout. */
  readonly format: (result: R) => string;
}

/**
 * Run a command's work under Ctrl-C handling, with an optional progress display on stderr, print
 * its result on stdout (`json`: one JSON object) and turn a failure into one stderr line (with
 * `json` also `{"error":…}` on stdout), passwords masked. Returns the exit code: 0 done, 1 failed,
 * 2 bad input, 130 interrupted.
 *
 * @example
 * return runAndPrint(deps, { json: false, secrets: [target], progress: true, run: ({ signal, onProgress }) => restoreSchema({ …, signal, onProgress }), format: formatRestoreSummary });
 */
export async function runAndPrint<R>(deps: CliDeps, work: PrintedWork<R>): Promise<number> {
  const display = work.progress && !work.json ? deps.createDisplay(deps.stderr) : undefined;
  return withInterrupt(deps, async (signal) => {
    try {
      const result = await work.run({ signal, onProgress: display?.onProgress });
      await display?.close();
      deps.stdout.write(work.json ? `${JSON.stringify(result)}\n` : work.format(result));
      return EXIT_CODES.ok;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, work.secrets, { json: work.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}
