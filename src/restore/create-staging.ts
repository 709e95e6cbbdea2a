import { markStagingDdl, stagingMarker } from '../cleanup/staging-marker';
import { applyDdl } from '../ddl/apply-ddl';
import { withLockRetry } from '../ddl/lock-retry';
import type { DdlStatement, SplitDdlResult } from '../ddl/split-ddl';
import { configureTargetSession } from '../ddl/target-session';
import { MissingRolesError } from '../errors';
import { preflight } from '../preflight';
import type { Definitions } from './extract-definitions';
import { RestoreRun, SchemaPlan } from './restore-run';

/** Statements that build (not owners and grants, which publish applies). */
export const isStructural = (s: DdlStatement): boolean => s.kind !== 'ownership' && s.kind !== 'privilege';

async function checkRoles(run: RestoreRun, split: SplitDdlResult): Promise<void> {
  if (split.roles.length === 0) return;
  const { rows } = await run.target.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [split.roles]);
  const present = new Set(rows.map((r) => r.rolname));
  const missing = split.roles.filter((r) => !present.has(r));
  if (missing.length > 0) throw new MissingRolesError(missing);
}

/**
 * Step "staging": check the roles the DDL names exist in the target, set the DDL session's lock
 * timeout, and create the schemas' types, tables, functions and views under their staging names,
 * in one transaction, each staging schema marked as this restore's. Views and column types reference live objects: a session holding one of them
 * ACCESS EXCLUSIVE makes this wait at most the lock timeout, and it is retried.
 *
 * @example
 * await createStaging(run, plans, definitions);
 */
export async function createStaging(run: RestoreRun, plans: readonly SchemaPlan[], definitions: Definitions): Promise<void> {
  await checkRoles(run, definitions.staged);
  // Permissions and a writable target are checked before any work, not found at publish hours later.
  await preflight({ target: run.target, ddl: definitions.final });
  const lockTimeoutMs = await configureTargetSession(run.target, { lockTimeoutMs: run.options.lockTimeoutMs });
  run.made.lockTimeoutMs = lockTimeoutMs;
  await run.step('pre-data', 'creating types, tables, functions and views under a staging name', async () => {
    run.made.staging = true;
    // The staging schemas carry a marker (restore id, host, pid), so `cleanup --local` finds them after a crash.
    const marker = stagingMarker(run.restoreId);
    const preData = markStagingDdl(definitions.staged.preData.filter(isStructural), { staging: plans.map((p) => p.staging), marker });
    await withLockRetry(run.target, () => applyDdl(run.target, preData, { transaction: false }),
      { object: 'a live object the definitions reference', anyRelation: true, mode: 'AccessShareLock', action: 'creating the staging schema', lockTimeoutMs, signal: run.signal });
  });
}
