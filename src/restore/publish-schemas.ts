import { publishedSchemaComments } from '../cleanup/staging-marker';
import { dropLargeObjectRecordSql } from '../copy/large-object-record';
import { applyDdl } from '../ddl/apply-ddl';
import { asCreateOrReplace } from '../ddl/create-or-replace';
import { withLockRetry } from '../ddl/lock-retry';
import type { SplitDdlResult } from '../ddl/split-ddl';
import { quoteIdent } from '../quote';
import type { Definitions } from './extract-definitions';
import { RestoreRun, SchemaPlan } from './restore-run';

/**
 * The statements that make fully built staging schemas the restored schemas, atomically: rename
 * them, redefine routines whose bodies (text) must name the final schema, then owners and grants.
 */
export function publishStatements(plans: readonly SchemaPlan[], final: SplitDdlResult): string[] {
  const settings = final.preData.filter((s) => s.kind === 'setting').map((s) => s.sql);
  const renames = plans.map((p) => `ALTER SCHEMA ${quoteIdent(p.staging)} RENAME TO ${quoteIdent(p.restored)}`);
  const routines = final.preData.filter((s) => s.kind === 'routine').map((s) => asCreateOrReplace(s.sql));
  const all = [...final.preData, ...final.postData.filter((s) => s.kind !== 'setting')];
  const owners = all.filter((s) => s.kind === 'ownership').map((s) => s.sql);
  const grants = all.filter((s) => s.kind === 'privilege').map((s) => s.sql);
  // The source's schema comments replace the staging markers (or clear them where the source had none).
  const comments = publishedSchemaComments(final.preData, plans.map((p) => p.restored));
  return [...settings, ...renames, ...comments, ...routines, ...owners, ...grants];
}

/**
 * Step "publish": in one transaction, the staging schemas take their restored names, routines get
 * their final bodies, owners and grants are applied, and the large-object record is dropped. The
 * restored name never holds a partial restore. An abort before COMMIT rolls it back; after, the
 * restore has happened.
 *
 * @example
 * await publishSchemas(run, plans, definitions);
 */
export async function publishSchemas(run: RestoreRun, plans: readonly SchemaPlan[], definitions: Definitions): Promise<void> {
  await run.step('publish', `publishing as ${plans.map((p) => p.restored).join(', ')} in one transaction`, async () => {
    const record = run.made.largeObjects;
    const statements = [...record ? [dropLargeObjectRecordSql(record)] : [], ...publishStatements(plans, definitions.final)];
    await withLockRetry(run.target, () => applyDdl(run.target, statements, { transaction: false }),
      { object: 'a live object the definitions reference', anyRelation: true, mode: 'AccessShareLock', action: 'publishing', lockTimeoutMs: run.made.lockTimeoutMs!, signal: run.signal });
    run.made.staging = false;
  });
}
