import { requiredEnv } from './handler-context';
import { runScheduledTask, ScheduledTaskDeps, TaskContext, TaskOutcome } from './scheduled-task';
import { secretDatabaseUrl } from './secret-database-url';
import type { TaskMetric } from './task-metrics';
import { nameListSetting, positiveNumberSetting, retentionSetting } from './task-settings';
import { BackupRun, listBackupRuns } from '../backups/backup-catalog';
import { backupDatabase } from '../backups/backup-database';
import { withBackupStore } from '../backups/backup-location';
import { usualSize } from '../backups/check-backups';
import { planPrune } from '../backups/plan-prune';
import { pruneBackups } from '../backups/prune-backups';
import { EXIT_CODES } from '../cli/cli-errors';

/** The newest complete run's age and, for the run just written, its share of the usual size. */
function backupHealth(now: Date, runs: readonly BackupRun[], run?: string): TaskMetric[] {
  const complete = runs.filter((r) => r.complete);
  if (complete.length === 0) return [];
  const metrics: TaskMetric[] = [
    { name: 'BackupAge', unit: 'Seconds', value: (now.getTime() - complete[complete.length - 1].takenAt.getTime()) / 1000 },
  ];
  const index = complete.findIndex((r) => r.display === run);
  const usual = index >= 0 ? usualSize(complete, index) : undefined;
  if (usual) metrics.push({ name: 'BackupSizeRatio', unit: 'None', value: usual.ratio });
  return metrics;
}

/** The database's runs at the location, oldest first (when no prune has just read them). */
function databaseRuns(task: TaskContext, location: string): Promise<BackupRun[]> {
  return withBackupStore({ from: location, s3: { client: task.deps.s3 } }, (store) => listBackupRuns(store, { database: task.metrics.database }));
}

/** Back up, prune, measure: the steps of a good night. */
async function backUp(task: TaskContext): Promise<TaskOutcome> {
  const { env, signal, onProgress } = task;
  const database = task.metrics.database;
  const location = requiredEnv(env, 'PGSR_BACKUP_LOCATION');
  const retention = retentionSetting('PGSR_RETENTION', requiredEnv(env, 'PGSR_RETENTION'));
  // A policy that would refuse to prune is a deployment error: found before the night's backup, not after.
  planPrune({ ...retention, runs: [], now: task.now() });
  const schemas = nameListSetting('PGSR_BACKUP_SCHEMAS', env.PGSR_BACKUP_SCHEMAS);
  const jobs = positiveNumberSetting('PGSR_BACKUP_JOBS', env.PGSR_BACKUP_JOBS, { whole: true });
  const source = task.secret(await secretDatabaseUrl({
    secretsManager: task.secretsManager,
    secretArn: requiredEnv(env, 'PGSR_DATABASE_SECRET_ARN'),
    database,
    tls: task.tls,
    fallback: { host: env.PGSR_DATABASE_HOST, port: env.PGSR_DATABASE_PORT },
  }));
  const started = task.now();
  const s3 = { client: task.deps.s3, ...(env.PGSR_BACKUP_KMS_KEY_ARN ? { kmsKeyId: env.PGSR_BACKUP_KMS_KEY_ARN } : {}) };
  const backup = await backupDatabase({ source, to: location, schemas, jobs, s3, signal, onProgress });
  const done: TaskMetric[] = [
    { name: 'BackupSucceeded', unit: 'Count', value: 1 },
    { name: 'BackupFailed', unit: 'Count', value: 0 },
    { name: 'BackupBytes', unit: 'Bytes', value: backup.manifest.schemas.reduce((sum, s) => sum + s.bytes, 0) },
    { name: 'BackupDuration', unit: 'Seconds', value: (task.now().getTime() - started.getTime()) / 1000 },
  ];
  let status: number = EXIT_CODES.ok;
  let kept: BackupRun[] | undefined;
  try {
    const pruned = await pruneBackups({ ...retention, from: location, database, now: task.now(), s3: { client: task.deps.s3, signal } });
    // The runs prune read, less those it deleted: the health metrics need no second listing of the catalog.
    kept = pruned.decisions.filter((d) => d.action === 'keep').map((d) => d.run);
    onProgress({ type: 'log', level: 'info', message: `pruned ${pruned.deletedRuns} run(s) of ${database} (${pruned.deletedBytes} bytes)` });
    done.push({ name: 'PrunedRuns', unit: 'Count', value: pruned.deletedRuns });
  } catch (err) {
    // The backup is complete and stays counted as one; the stale runs are the next night's prune's to remove.
    task.fail(`the backup ${backup.location} is complete, but pruning old backups failed: ${err instanceof Error ? err.message : String(err)}`);
    status = signal.aborted ? EXIT_CODES.interrupted : EXIT_CODES.failure;
  }
  try {
    done.push(...backupHealth(task.now(), kept ?? await databaseRuns(task, location), backup.location));
  } catch (err) {
    onProgress({ type: 'log', level: 'warn', message: `the backup's age and size ratio are not published: listing the backups failed (${err instanceof Error ? err.message : String(err)})` });
  }
  return { status, metrics: done };
}

/**
 * The nightly backup task of TenantBackups (`node /opt/pg-schema-restore/backup-task.js` on
 * Fargate): read the database's login from its secret, back up its schemas with `backupDatabase`
 * to `PGSR_BACKUP_LOCATION` (SSE-KMS with `PGSR_BACKUP_KMS_KEY_ARN` when set), prune the runs the
 * retention `PGSR_RETENTION` no longer keeps, and publish BackupSucceeded, BackupFailed,
 * BackupBytes, BackupDuration, BackupAge, BackupSizeRatio and PrunedRuns in one PutMetricData.
 * SIGTERM/SIGINT abort the backup (its run is removed). A failure publishes BackupFailed=1
 * (and the newest complete run's BackupAge), writes one line on stderr and returns 1 (130 when
 * aborted). A prune that fails after a complete backup still counts the backup as succeeded, but
 * says so on stderr and returns 1, so the task shows as failed. Progress: JSON lines on stdout.
 *
 * @example
 * runBackupTask().then((status) => { process.exitCode = status; });
 */
export async function runBackupTask(deps: ScheduledTaskDeps = {}): Promise<number> {
  return runScheduledTask('backup-task', deps, {
    run: backUp,
    failure: [{ name: 'BackupSucceeded', unit: 'Count', value: 0 }, { name: 'BackupFailed', unit: 'Count', value: 1 }],
    failureDetails: async (task) => backupHealth(task.now(), await databaseRuns(task, requiredEnv(task.env, 'PGSR_BACKUP_LOCATION'))),
  });
}

if (require.main === module) {
  runBackupTask().then((status) => {
    process.exitCode = status;
  }, (err: unknown) => {
    process.stderr.write(`backup-task: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
