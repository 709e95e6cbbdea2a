import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { formatPlan } from './plan-summary';
import { RestoreCommandOptions } from './restore-args';
import { formatRestoreSummary } from './restore-summary';

/**
 * Run `pg-schema-restore restore`: call the restore with a progress display (none with `--json`),
 * print the report as one JSON object or a human summary, and turn failures into one stderr line.
 * Ctrl-C aborts the restore, waits for its cleanup and returns 130. With `--dry-run`, prints the
 * plan instead and creates nothing.
 *
 * @example
 * const code = await runRestoreCommand(parseRestoreArgs(rawOptions), processCliDeps({ restore: restoreSchema }));
 */
export async function runRestoreCommand(options: RestoreCommandOptions, deps: CliDeps): Promise<number> {
  const source = options.restore.source;
  const secrets = [typeof source === 'string' ? source : '', options.restore.target];
  if (options.dryRun) return printPlan(options, deps, secrets);
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

/** `--dry-run`: print the plan (JSON with `--json`) and create nothing. */
async function printPlan(options: RestoreCommandOptions, deps: CliDeps, secrets: string[]): Promise<number> {
  try {
    const plan = await deps.plan(options.restore);
    deps.stdout.write(options.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
    return EXIT_CODES.ok;
  } catch (err) {
    return reportFailure(err, deps, secrets);
  }
}
