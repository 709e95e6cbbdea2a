import { RestoreRun, SchemaPlan } from './restore-run';
import { dropStagingSchemas, stagingLeftMessage } from '../cleanup/drop-staging';
import { unlinkRecordedLargeObjects } from '../copy/large-object-record';

/**
 * Step "drop staging", after a failure or abort: unlink the large objects the restore created,
 * remove foreign keys to live tables (one at a time under the lock timeout: dropping one locks the
 * live table) and drop the staging schemas in batches that fit the lock table — retried on fresh
 * connections while the target restarts (see {@link dropStagingSchemas}). Returns a sentence naming
 * exactly what is left and how to remove it, or undefined when all is gone.
 *
 * @example
 * const leftover = await dropStaging(run, plans);
 */
export async function dropStaging(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<string | undefined> {
  const { made } = run;
  const record = made.largeObjects;
  const { left, error } = await dropStagingSchemas({
    target: run.options.target,
    client: run.target,
    schemas: plans.map((p) => p.staging),
    outsideKeys: made.keys,
    lockTimeoutMs: made.lockTimeoutMs,
    beforeDrop: record && (async (client) => {
      await unlinkRecordedLargeObjects(client, record);
    }),
  });
  return left.length > 0 ? stagingLeftMessage(left, run.options.target, error) : undefined;
}
