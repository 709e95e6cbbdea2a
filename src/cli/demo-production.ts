import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliDeps } from './cli-deps';
import { backupDatabase, BackupResult } from '../backups/backup-database';
import { serverWritableDir, takeBaseBackup, walArchivingSettings } from '../local/backups';
import { LocalCluster } from '../local/local-cluster';

/** The demo's "production" server and where its backups go. */
export interface DemoProduction {
  readonly cluster: LocalCluster;
  /** Directory the server archives WAL segments into. */
  readonly walArchive: string;
  /** Directory of the base backup (plain format). */
  readonly baseBackup: string;
  /** Directory of the tenant backups (`pg-schema-restore backup --to`): one archive per schema per run. */
  readonly tenantBackups: string;
  /** Stop the server and remove the backups. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Start a throwaway "production" server that archives its WAL, in a work directory that also holds
 * the backups; `stop()` removes all of it.
 *
 * @example
 * const prod = await startDemoProduction(deps.startCluster);
 * try { ... } finally { await prod.stop(); }
 */
export async function startDemoProduction(startCluster: CliDeps['startCluster']): Promise<DemoProduction> {
  const workDir = mkdtempSync(join(tmpdir(), 'pgsr-demo-'));
  chmodSync(workDir, 0o755); // the server's OS user reaches the WAL archive inside it
  const walArchive = serverWritableDir(join(workDir, 'wal'));
  let cluster: LocalCluster | undefined;
  const stop = async (): Promise<void> => {
    await cluster?.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    cluster = await startCluster({ settings: walArchivingSettings(walArchive) });
  } catch (err) {
    await stop();
    throw err;
  }
  return { cluster, walArchive, baseBackup: join(workDir, 'base'), tenantBackups: join(workDir, 'tenant-backups'), stop };
}

/**
 * Last night's backups: a base backup of the whole server (WAL keeps being archived after it) and
 * a tenant backup of one database (every schema, each its own archive, one manifest).
 *
 * @example
 * const nightly = await takeNightlyBackups(prod, 'tenant_a');
 */
export async function takeNightlyBackups(production: DemoProduction, database: string, signal?: AbortSignal): Promise<BackupResult> {
  await takeBaseBackup(production.cluster, production.baseBackup);
  return takeTenantBackup(production, database, signal);
}

/**
 * A tenant backup of one database of the demo's server into its backup directory.
 *
 * @example
 * const hourly = await takeTenantBackup(prod, 'tenant_a');
 */
export function takeTenantBackup(production: DemoProduction, database: string, signal?: AbortSignal): Promise<BackupResult> {
  return backupDatabase({ source: production.cluster.url(database), to: production.tenantBackups, jobs: 2, signal });
}
