import { AbortedError, SchemaRestoreError, ValidationError } from '../errors';
import { RestoreReport } from '../report';
import { formatBackupCheck } from './backup-check-command';
import { CliDeps } from './cli-deps';
import { describeBackupRun, runDemoDrill } from './demo-backups';
import { startDemoProduction, takeNightlyBackups, takeTenantBackup } from './demo-production';
import { DemoRepair, runDemoRepair } from './demo-repair';
import { formatComparison, formatUntouched, TableComparison, UntouchedCheck } from './demo-report';
import {
  addRecentOrders, countOverwrittenEmails, damageSchema, fingerprintTables, IncidentDamage, markRestorePoint, TableFingerprint,
} from './demo-scenario';
import { formatRestoreSummary } from './restore-summary';
import { checkBackups } from '../backups/check-backups';
import type { DrillReport } from '../drill/drill-report';
import { archiveCurrentWal } from '../local/backups';
import { createSampleDatabases } from '../sample/create-sample-databases';
import { SAMPLE_SCHEMAS, SAMPLE_TABLES } from '../sample/sample-layout';
import { PitrSource } from '../sources/restore-source';

export interface DemoOptions {
  /** Users per sample schema. @default 1000 */
  readonly rows?: number;
  /** Aborts the demo (Ctrl-C); the throwaway servers and backups are removed either way. */
  readonly signal?: AbortSignal;
}

export type DemoDeps = Pick<CliDeps, 'restore' | 'stdout' | 'createDisplay' | 'startCluster'>;

/** What the demo found, for tests. */
export interface DemoResult {
  /** T, the moment restored by point-in-time recovery. */
  readonly restorePoint: Date;
  /** The restore as of T (point-in-time recovery). */
  readonly report: RestoreReport;
  /** The restore from the tenant backups as of T (last night's, not the hourly one taken after the incident). */
  readonly backupReport: RestoreReport;
  /** The monthly restore drill of the newest tenant backup. */
  readonly drill: DrillReport;
  /** The snapshot time of last night's tenant backup. */
  readonly nightlyBackupAt: Date;
  readonly damage: IncidentDamage;
  readonly comparison: TableComparison[];
  readonly overwrittenEmails: { readonly live: number; readonly restored: number };
  readonly untouched: UntouchedCheck[];
  /** The diff against the restored schema, the repair of the deleted rows, and the diff after it. */
  readonly repair: DemoRepair;
}

const LIVE = 'tenant_a';
const DAMAGED = 'customer_a1';
const BACKUP_SUFFIX = '_from_backup';
const DAY_AND_AN_HOUR_MS = 25 * 3600_000;

/**
 * The demo, entirely local: start a throwaway "production" server that archives its WAL, create the
 * sample tenants, take last night's backups (a base backup and a tenant backup), let business go
 * on, note a time T, damage `customer_a1` (an hourly tenant backup then holds the damage), then
 * restore it side by side as of T (point-in-time recovery) and from the tenant backups `--at` T,
 * show live vs restored, prove every other schema untouched, run a restore drill, and end with the
 * repair: diff the damaged schema against the restored one, put the deleted rows back, diff again.
 * Narrates each step on `deps.stdout`; always removes the server and the backups, also on failure
 * or abort.
 *
 * @example
 * await runDemo({ rows: 1000 }, processCliDeps({ restore: restoreSchema }));
 */
export async function runDemo(options: DemoOptions, deps: DemoDeps): Promise<DemoResult> {
  const rows = options.rows ?? 1000;
  const say = (text: string): void => {
    deps.stdout.write(`${text}\n`);
  };
  const checkpoint = (): void => {
    if (options.signal?.aborted) throw new AbortedError('demo interrupted; the throwaway server and its backups have been removed');
  };
  say('pg-schema-restore demo: everything runs on a throwaway local PostgreSQL server; nothing to configure.\n');
  say('1. Starting a throwaway "production" PostgreSQL server that archives its WAL (as servers set up for point-in-time recovery do) ...');
  const production = await startDemoProduction(deps.startCluster);
  const cluster = production.cluster;
  try {
    say(`   PostgreSQL ${cluster.binaries.version} on loopback (only this demo can log in), WAL archived to ${production.walArchive}`);
    checkpoint();
    const layout = Object.entries(SAMPLE_SCHEMAS).map(([db, schemas]) => `${db} (${schemas.join(', ')})`).join(' and ');
    say(`2. Creating one database per tenant, one schema per customer: ${layout}, ${rows} users per schema ...`);
    const urls = await createSampleDatabases(cluster, { rows });
    checkpoint();
    say(`3. Last night's backups: a base backup of the whole server (pg_basebackup), and a tenant backup of ${LIVE} ` +
      '(pg-schema-restore backup: every schema its own archive, one manifest with checksums) ...');
    const nightly = await takeNightlyBackups(production, LIVE, options.signal);
    const atBackup = await fingerprintTables(urls[LIVE], DAMAGED, SAMPLE_TABLES);
    say(`   ${production.baseBackup}\n${describeBackupRun(nightly)}`);
    const health = await checkBackups({ from: production.tenantBackups, maxAgeMs: DAY_AND_AN_HOUR_MS });
    say(`   The daily health check, backup check --max-age 25h: ${formatBackupCheck(health, new Date()).trim()}`);
    if (!health.ok) throw new SchemaRestoreError('DEMO_FAILED', `backup check failed right after the backup: ${health.problems.join('; ')}`);
    checkpoint();
    say(`4. Business goes on: 25 new orders in every schema of ${LIVE} ...`);
    await addRecentOrders(urls[LIVE], SAMPLE_SCHEMAS[LIVE], 25);
    const restorePoint = await markRestorePoint(urls[LIVE]);
    const atRestorePoint = await fingerprintTables(urls[LIVE], DAMAGED, SAMPLE_TABLES);
    say(`   T = ${restorePoint.toISOString()}: everything is still fine at this moment`);
    checkpoint();
    say(`5. Incident after T: a faulty job deletes every third order of ${DAMAGED} and overwrites half of its users' e-mails ...`);
    const damage = await damageSchema(urls[LIVE], DAMAGED);
    say(`   ${damage.deletedOrders} orders (with their items) deleted, ${damage.overwrittenEmails} e-mails overwritten`);
    const hourly = await takeTenantBackup(production, LIVE, options.signal);
    say(`   The hourly tenant backup ran after the incident (it holds the damage): ${hourly.location}`);
    await archiveCurrentWal(cluster);
    const watched = tenantSchemas(urls);
    const before = await fingerprintAll(watched);
    checkpoint();

    say(`6. Restoring ${DAMAGED} as it was at T: the base backup is recovered to T from the WAL archive on a second throwaway server, ` +
      `and ${DAMAGED} is copied from there into the live ${LIVE}, next to the damaged one, under a new name ...`);
    const pitr: PitrSource = { kind: 'pitr', baseBackup: production.baseBackup, walArchive: production.walArchive, targetTime: restorePoint };
    const report = await restoreWithDisplay(deps, { source: pitr, target: urls[LIVE], schemas: [DAMAGED], signal: options.signal });
    deps.stdout.write(formatRestoreSummary(report));
    checkpoint();
    say(`\n7. For comparison, restoring ${DAMAGED} from the tenant backups --at T as ${DAMAGED}${BACKUP_SUFFIX}: the newest backup at or before T ` +
      `is last night's (not the hourly one), and only its ${DAMAGED} archive is read, checked against the manifest's sha256 and checksums ...`);
    const backupReport = await restoreWithDisplay(deps, {
      source: { kind: 'backup', location: `${production.tenantBackups}/${LIVE}/`, at: restorePoint },
      target: urls[LIVE],
      schemas: [DAMAGED],
      suffix: BACKUP_SUFFIX,
      signal: options.signal,
    });
    deps.stdout.write(formatRestoreSummary(backupReport));

    const restored = restoredName(report);
    say(`\n8. Rows per table of ${DAMAGED}: at T, live (damaged), restored as of T (${restored}), and from the backup (${restoredName(backupReport)}):`);
    const { comparison, overwrittenEmails } = await compareWithPast(urls[LIVE], { atRestorePoint, atBackup }, restored, restoredName(backupReport));
    say(formatComparison(comparison));
    say(`    users with an overwritten e-mail: ${overwrittenEmails.live} live, ${overwrittenEmails.restored} restored`);
    say('    The nightly backup misses the orders placed after it; point-in-time recovery brings back exactly the state at T.');

    say('\n9. Nothing else was touched — every table of every tenant schema, compared before and after the restores:');
    const after = await fingerprintAll(watched);
    const untouched = watched.map((w, i) => ({
      database: w.database, schema: w.schema, tables: SAMPLE_TABLES.length, changedTables: changed(before[i], after[i]),
    }));
    say(formatUntouched(untouched));
    if (untouched.some((u) => u.changedTables.length)) {
      throw new ValidationError('the restore changed schemas it must not touch', untouched.flatMap((u) => u.changedTables.map((t) => `${u.schema}.${t}`)));
    }
    say(`\n10. The monthly restore drill: every tenant of the newest backup of ${LIVE} restored side by side into a scratch database, ` +
      'validated against the manifest, and dropped; its report (drill --report drill.md):');
    const drill = await runDemoDrill(production, LIVE, deps.restore, options.signal);
    say(drill.markdown);
    if (drill.report.verdict !== 'pass') {
      const why = drill.report.tenants.flatMap((t) => t.problems.map((p) => `${t.schema}: ${p}`));
      throw new SchemaRestoreError('DEMO_FAILED', `the restore drill failed: ${[...drill.report.problems, ...why].join('; ')}`);
    }
    say(`\n11. Finally, the repair: what changed in ${DAMAGED} since T (diff), the deleted rows put back from ${restored} (repair --deleted, ` +
      'parents before children, in one transaction verified by the diff), and the diff again:');
    const repair = await runDemoRepair({ target: urls[LIVE], schema: DAMAGED, restored, signal: options.signal, say });
    const nightlyBackupAt = new Date(nightly.manifest.snapshotAt);
    return { restorePoint, report, backupReport, nightlyBackupAt, drill: drill.report, damage, comparison, overwrittenEmails, untouched, repair };
  } finally {
    say('\nStopping the throwaway servers and removing their files and the backups.');
    await production.stop();
  }
}

function restoredName(report: RestoreReport): string {
  const name = report.schemas.find((s) => s.source === DAMAGED)?.restored;
  if (!name) throw new SchemaRestoreError('DEMO_FAILED', `the restore report does not mention ${DAMAGED}`);
  return name;
}

interface WatchedSchema {
  readonly database: string;
  readonly schema: string;
  readonly url: string;
}

function tenantSchemas(urls: Record<string, string>): WatchedSchema[] {
  return Object.entries(SAMPLE_SCHEMAS).flatMap(([database, schemas]) => schemas.map((schema) => ({ database, schema, url: urls[database] })));
}

function fingerprintAll(schemas: readonly WatchedSchema[]): Promise<Array<Record<string, TableFingerprint>>> {
  return Promise.all(schemas.map((w) => fingerprintTables(w.url, w.schema, SAMPLE_TABLES)));
}

/** Rows per table at T, live, restored as of T and from the backup; fails if a restored copy differs from its moment. */
async function compareWithPast(
  liveUrl: string,
  past: { atRestorePoint: Record<string, TableFingerprint>; atBackup: Record<string, TableFingerprint> },
  restored: string,
  fromBackup: string,
): Promise<Pick<DemoResult, 'comparison' | 'overwrittenEmails'>> {
  const live = await fingerprintTables(liveUrl, DAMAGED, SAMPLE_TABLES);
  const copy = await fingerprintTables(liveUrl, restored, SAMPLE_TABLES);
  const backup = await fingerprintTables(liveUrl, fromBackup, SAMPLE_TABLES);
  const differing = [
    ...SAMPLE_TABLES.filter((t) => past.atRestorePoint[t].digest !== copy[t].digest).map((t) => `${restored}.${t}`),
    ...SAMPLE_TABLES.filter((t) => past.atBackup[t].digest !== backup[t].digest).map((t) => `${fromBackup}.${t}`),
  ];
  if (differing.length) throw new ValidationError(`restored tables differ from the past: ${differing.join(', ')}`, differing);
  return {
    comparison: SAMPLE_TABLES.map((table) => ({
      table, atRestorePoint: past.atRestorePoint[table].rows, live: live[table].rows, restored: copy[table].rows, fromBackup: backup[table].rows,
    })),
    overwrittenEmails: { live: await countOverwrittenEmails(liveUrl, DAMAGED), restored: await countOverwrittenEmails(liveUrl, restored) },
  };
}

async function restoreWithDisplay(deps: DemoDeps, options: Parameters<DemoDeps['restore']>[0]): Promise<RestoreReport> {
  const display = deps.createDisplay(deps.stdout);
  try {
    const report = await deps.restore({ ...options, onProgress: display.onProgress });
    await display.close();
    return report;
  } catch (err) {
    await display.close(err);
    throw err;
  }
}

function changed(before: Record<string, TableFingerprint>, after: Record<string, TableFingerprint>): string[] {
  return Object.keys(before).filter((t) => before[t].digest !== after[t]?.digest);
}
