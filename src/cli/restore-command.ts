import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { RestoreCommandOptions } from './restore-args';
import { formatRestoreSummary } from './restore-summary';

/**
 * Run `pg-schema-restore restore`: call the restore with a progress display (none with `--json`),
 * print the report as one JSON object or a human summary, and turn failures into one stderr line.
 * Ctrl-C aborts the restore, waits for its cleanup and returns 130.
 *
 * @example
 * const code = await runRestoreCommand(parseRestoreArgs(rawOptions), processCliDeps({ restore: restoreSchema }));
 */
export async function runRestoreCommand(options: RestoreCommandOptions, deps: CliDeps): Promise<number> {
  const secrets = [options.restore.source, options.restore.target];
  const display = options.json ? undefined : deps.createDisplay(deps.stdout);
  return withInterrupt(deps, async (signal) => {
    try {
      const report = await deps.restore({ ...options.restore, onProgress: display?.onProgress, signal });
      await display?.close();
      deps.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatRestoreSummary(report));
      return EXIT_CODES.ok;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, secrets, signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err));
    }
  });
}
