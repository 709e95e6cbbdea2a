import { Client } from 'pg';
import { connect } from '../connection';
import { unlinkRecordedLargeObjects } from '../copy/large-object-record';
import { dropOutsideForeignKeys } from '../ddl/add-outside-foreign-keys';
import { configureTargetSession, DEFAULT_LOCK_TIMEOUT_MS } from '../ddl/target-session';
import { quoteIdent } from '../quote';
import { RestoreRun, SchemaPlan } from './restore-run';

/**
 * Step "drop staging", after a failure or abort: unlink the large objects the restore created,
 * remove foreign keys to live tables (one at a time under the lock timeout: dropping one locks the
 * live table) and drop the staging schemas; on a fresh connection when the restore's own one is
 * broken. Returns a sentence naming what could not be dropped, or undefined when all is gone.
 *
 * @example
 * const leftover = await dropStaging(run, plans);
 */
export async function dropStaging(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<string | undefined> {
  const { made } = run;
  const names = plans.map((p) => p.staging);
  const sql = names.map((n) => `DROP SCHEMA IF EXISTS ${quoteIdent(n)} CASCADE`).join('; ');
  const drop = async (c: Client): Promise<void> => {
    if (made.largeObjects) await unlinkRecordedLargeObjects(c, made.largeObjects);
    if (made.keys.length > 0) await dropOutsideForeignKeys(c, made.keys, made.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    await c.query(sql);
  };
  try {
    await run.target.query('ROLLBACK').catch(() => undefined);
    await drop(run.target);
    return undefined;
  } catch {
    try {
      const fresh = await connect(run.options.target, 'target');
      try {
        await configureTargetSession(fresh, { lockTimeoutMs: made.lockTimeoutMs });
        await drop(fresh);
        return undefined;
      } finally {
        await fresh.end();
      }
    } catch (err) {
      const record = made.largeObjects ? ` and the large objects listed in "${made.largeObjects.schema}".large_objects (target_oid: lo_unlink each)` : '';
      return `the staging schema(s) ${names.map((n) => `"${n}"`).join(', ')}${record} could not be dropped (${(err as Error).message}); drop them by hand`;
    }
  }
}
