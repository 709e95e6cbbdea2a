import { randomBytes } from 'node:crypto';
import { dropDrillLeftovers, dropRestoredSchema } from './drill-leftovers';
import { drillVerdict, DrillReport, DrillTenant } from './drill-report';
import { pickTenants, TenantSelection } from './pick-tenants';
import { BackupRun, listBackupRuns } from '../backups/backup-catalog';
import { BackupLocationOptions, withBackupStore } from '../backups/backup-location';
import type { ManifestSchema } from '../backups/backup-manifest';
import { chooseBackup } from '../backups/choose-backup';
import { DatabaseConnection, describeConnection, scrubSecrets } from '../connection';
import { AbortedError } from '../errors';
import { ProgressListener, safeListener } from '../progress';
import type { RestoreReport } from '../report';
import type { RestoreSchemaOptions } from '../restore-options';
import { restoreSchema } from '../restore-schema';
import type { Abortable, WithProgress } from '../run-options';

/** Options of {@link runDrill}. */
export interface RunDrillOptions extends BackupLocationOptions, Abortable, WithProgress, TenantSelection {
  /** The scratch database the tenants are restored into, side by side, and dropped from again. Never production. */
  readonly target: DatabaseConnection;
  /** The oldest the backup may be; an older one fails the drill (it still runs). @default - no limit */
  readonly maxAgeMs?: number;
  /** Directory for the throwaway servers the restores use. @default os.tmpdir() */
  readonly tempDir?: string;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
  /** The restore. @default restoreSchema */
  readonly restore?: (options: RestoreSchemaOptions) => Promise<RestoreReport>;
}

/** An error's first line, without the target's password (the report is written to files). */
function message(err: unknown, target: DatabaseConnection): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return scrubSecrets(text, target);
}

/** Restore one tenant from the run into the scratch database, time it, and drop it again. */
async function drillTenant(options: RunDrillOptions, run: BackupRun, expected: ManifestSchema, suffix: string): Promise<DrillTenant> {
  const restore = options.restore ?? restoreSchema;
  const clock = options.now ?? (() => new Date());
  const started = clock().getTime();
  const base = { schema: expected.name, archiveBytes: expected.bytes, rows: 0, bytes: 0, warnings: [] as string[] };
  let report: RestoreReport;
  try {
    report = await restore({
      source: { kind: 'backup', location: options.from, at: run.takenAt },
      target: options.target,
      schemas: [expected.name],
      suffix,
      clients: options.s3?.client ? { s3: options.s3.client } : undefined,
      s3Endpoint: options.s3?.endpoint,
      tempDir: options.tempDir,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (err) {
    const durationMs = clock().getTime() - started;
    // A restore stopped after it published (Ctrl-C during its last steps) leaves the tenant behind: drop it too.
    const restoredAs = `${expected.name}${suffix}`;
    const left = await dropRestoredSchema(options.target, restoredAs).then(() => undefined, (e: unknown) => message(e, options.target));
    if (options.signal?.aborted) {
      throw new AbortedError(left === undefined ? undefined : `drill aborted; ${restoredAs} could not be dropped from the scratch database (${left}): the next drill drops it`);
    }
    const problems = [message(err, options.target), ...left === undefined ? [] : [`${restoredAs} could not be dropped from the scratch database (${left}); the next drill drops it`]];
    return { ...base, verdict: 'fail', durationMs, problems };
  }
  const durationMs = clock().getTime() - started;
  const restored = report.schemas[0];
  const tables = restored?.tables ?? [];
  const problems = tables.filter((t) => t.checksumMatch === false).map((t) => `${t.kind} ${expected.name}.${t.name}: restored rows do not match the backup`);
  if (restored) {
    try {
      await dropRestoredSchema(options.target, restored.restored);
    } catch (err) {
      problems.push(`the restored schema ${restored.restored} could not be dropped from the scratch database (${message(err, options.target)}); drop it by hand`);
    }
  } else {
    problems.push('the restore reported no schema');
  }
  return {
    ...base,
    restoredAs: restored?.restored,
    verdict: problems.length === 0 ? 'pass' : 'fail',
    durationMs,
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    bytes: tables.reduce((sum, t) => sum + t.bytes, 0),
    problems,
    warnings: report.warnings,
  };
}

/**
 * Drop what killed drills left in the scratch database. When the scratch database cannot be reached,
 * say so and go on: each tenant then fails with the reason, and the report is still written.
 */
async function sweepLeftovers(options: RunDrillOptions, tenants: string[], emit: ProgressListener): Promise<string[]> {
  try {
    const dropped = await dropDrillLeftovers(options.target, tenants);
    if (dropped.length > 0) emit({ type: 'log', level: 'warn', message: `drill: dropped ${dropped.join(', ')}, left in the scratch database by an earlier drill that was killed` });
    return dropped;
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    emit({ type: 'log', level: 'warn', message: `drill: could not look for leftovers of earlier drills in the scratch database: ${message(err, options.target)}` });
    return [];
  }
}

/**
 * Run a restore drill: take the newest complete backup under `from`, restore the chosen tenants
 * (all, the named ones, or `sample` picked at random) one after the other, side by side, into
 * the scratch database `target` with `restoreSchema` — which checks every archive's SHA-256 and
 * validates the restored rows against the manifest — time each restore (the RTO), drop what was
 * restored, and write down the result: the backup used, its age (the RPO) against `maxAgeMs`,
 * and per tenant its duration, rows, bytes, verdict and problems. A tenant that fails does not
 * stop the others; the report's verdict is `fail` when any tenant failed or the backup is too old.
 * A backup that cannot be found or read is an error, not a report. Before restoring, it drops what
 * killed drills left in the scratch database (see {@link dropDrillLeftovers}); on Ctrl-C it drops
 * the tenant it was restoring, also one already published.
 *
 * @example
 * const report = await runDrill({ from: 's3://backups/nightly/app/', target: 'postgres://drill@scratch/app', sample: 3, maxAgeMs: 25 * 3_600_000 });
 * writeFileSync('drill.md', drillMarkdown(report), { mode: 0o600 });
 * if (report.verdict !== 'pass') process.exitCode = 1;
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillReport> {
  const clock = options.now ?? (() => new Date());
  const emit = safeListener(options.onProgress);
  const started = clock();
  const run = await withBackupStore({ from: options.from, s3: { ...options.s3, signal: options.signal } },
    async (store) => chooseBackup(await listBackupRuns(store), { schemas: options.schemas, where: store.display }));
  const manifest = run.manifest!;
  const tenants = pickTenants(manifest.schemas.map((s) => s.name), options);
  const ageMs = started.getTime() - run.takenAt.getTime();
  // One suffix for the drill: restored names never collide with real restores or an earlier drill's leftovers.
  const suffix = `_drill_${randomBytes(4).toString('hex')}`;
  const leftovers = await sweepLeftovers(options, manifest.schemas.map((s) => s.name), emit);
  const results: DrillTenant[] = [];
  for (const [index, name] of tenants.entries()) {
    if (options.signal?.aborted) throw new AbortedError();
    emit({ type: 'log', level: 'info', message: `drill: restoring ${name} (${index + 1} of ${tenants.length}) from ${run.display}` });
    const result = await drillTenant(options, run, manifest.schemas.find((s) => s.name === name)!, suffix);
    emit({ type: 'log', level: result.verdict === 'pass' ? 'info' : 'warn', message: `drill: ${name} ${result.verdict === 'pass' ? 'passed' : `FAILED: ${result.problems.join('; ')}`}` });
    results.push(result);
  }
  const finished = clock();
  return {
    date: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    backup: {
      location: run.display,
      database: manifest.database,
      snapshotAt: manifest.snapshotAt,
      ageMs,
      maxAgeMs: options.maxAgeMs,
      stale: options.maxAgeMs !== undefined && ageMs > options.maxAgeMs,
    },
    target: describeConnection(options.target),
    selection: options.schemas ? 'named' : options.sample !== undefined ? 'sample' : 'all',
    tenants: results,
    leftoversDropped: leftovers,
    ...drillVerdict(results, { ageMs, maxAgeMs: options.maxAgeMs }),
  };
}
