import { requiredEnv } from './handler-context';
import { databaseLocation, runScheduledTask, ScheduledTaskDeps, TaskContext, TaskOutcome } from './scheduled-task';
import { secretDatabaseUrl } from './secret-database-url';
import { nameListSetting, positiveNumberSetting } from './task-settings';
import { runName } from '../backups/backup-layout';
import { withBackupStore } from '../backups/backup-location';
import { EXIT_CODES, scrubAll } from '../cli/cli-errors';
import { drillMarkdown } from '../drill/drill-markdown';
import type { DrillReport } from '../drill/drill-report';
import { runDrill } from '../drill/run-drill';
import { InvalidInputError } from '../errors';

/**
 * Keep the report as `<location><database>/<run name>.json` and `.md`, encrypted like the backups.
 * Returns where the Markdown is.
 */
async function keepReport(task: TaskContext, location: string, report: DrillReport, scrub: (text: string) => string): Promise<string> {
  const { env } = task;
  const s3 = { client: task.deps.s3, ...(env.PGSR_BACKUP_KMS_KEY_ARN ? { kmsKeyId: env.PGSR_BACKUP_KMS_KEY_ARN } : {}) };
  return withBackupStore({ from: location, s3 }, async (store) => {
    const name = `${task.metrics.database}/${runName(new Date(report.date))}`;
    await store.write(`${name}.json`, Buffer.from(`${scrub(JSON.stringify(report, null, 2))}\n`));
    await store.write(`${name}.md`, Buffer.from(scrub(drillMarkdown(report))));
    return store.describe(`${name}.md`);
  });
}

/** Restore from the newest backup into the drill database, keep the report, measure. */
async function drill(task: TaskContext): Promise<TaskOutcome> {
  const { env } = task;
  const from = databaseLocation(requiredEnv(env, 'PGSR_BACKUP_LOCATION'), task.metrics.database);
  const reports = requiredEnv(env, 'PGSR_DRILL_LOCATION');
  const schemas = nameListSetting('PGSR_DRILL_SCHEMAS', env.PGSR_DRILL_SCHEMAS);
  const sample = positiveNumberSetting('PGSR_DRILL_SAMPLE', env.PGSR_DRILL_SAMPLE, { whole: true });
  if (schemas && sample !== undefined) throw new InvalidInputError('PGSR_DRILL_SCHEMAS and PGSR_DRILL_SAMPLE are both set; the drill takes one or the other', { code: 'HANDLER_MISCONFIGURED' });
  const maxAgeHours = positiveNumberSetting('PGSR_DRILL_MAX_AGE_HOURS', env.PGSR_DRILL_MAX_AGE_HOURS);
  const target = task.secret(await secretDatabaseUrl({
    secretsManager: task.secretsManager,
    secretArn: requiredEnv(env, 'PGSR_DRILL_SECRET_ARN'),
    database: requiredEnv(env, 'PGSR_DRILL_DATABASE'),
    tls: task.tls,
    fallback: { host: env.PGSR_DRILL_HOST, port: env.PGSR_DRILL_PORT },
  }));
  const report = await runDrill({
    from,
    target,
    schemas,
    sample,
    maxAgeMs: maxAgeHours === undefined ? undefined : maxAgeHours * 3_600_000,
    s3: { client: task.deps.s3 },
    signal: task.signal,
    onProgress: task.onProgress,
    now: task.now,
  });
  const kept = await keepReport(task, reports, report, (text) => scrubAll(text, [target]));
  task.onProgress({ type: 'log', level: report.verdict === 'pass' ? 'info' : 'warn', message: `drill ${report.verdict === 'pass' ? 'passed' : 'FAILED'}; report: ${kept}` });
  if (report.verdict !== 'pass') task.fail(`the drill failed: ${report.problems.join('; ')}; report: ${kept}`);
  const pass = report.verdict === 'pass';
  return {
    status: pass ? EXIT_CODES.ok : EXIT_CODES.failure,
    metrics: [
      { name: 'DrillSucceeded', unit: 'Count', value: pass ? 1 : 0 },
      { name: 'DrillFailed', unit: 'Count', value: pass ? 0 : 1 },
      { name: 'DrillRto', unit: 'Seconds', value: Math.max(...report.tenants.map((t) => t.durationMs)) / 1000 },
      { name: 'DrillTenants', unit: 'Count', value: report.tenants.length },
      { name: 'DrillBackupAge', unit: 'Seconds', value: report.backup.ageMs / 1000 },
    ],
  };
}

/**
 * The monthly restore drill task of TenantBackups (`node /opt/pg-schema-restore/drill-task.js` on
 * Fargate): `runDrill` restores tenants of the newest backup of `PGSR_DATABASE_NAME` under
 * `PGSR_BACKUP_LOCATION` (`PGSR_DRILL_SCHEMAS`, a `PGSR_DRILL_SAMPLE`, or all) into the drill
 * database (`PGSR_DRILL_SECRET_ARN`, `PGSR_DRILL_DATABASE`), validates and drops them, keeps the
 * report as JSON and Markdown under `PGSR_DRILL_LOCATION<database>/<UTC time>`, and publishes
 * DrillSucceeded, DrillFailed, DrillRto (the slowest tenant), DrillTenants and DrillBackupAge.
 * Returns 0 when the drill passed, 1 when it failed (the report is still kept) or could not run,
 * 130 when SIGTERM/SIGINT aborted it. Progress: JSON lines on stdout; failures: one line on stderr.
 *
 * @example
 * runDrillTask().then((status) => { process.exitCode = status; });
 */
export async function runDrillTask(deps: ScheduledTaskDeps = {}): Promise<number> {
  return runScheduledTask('drill-task', deps, {
    run: drill,
    failure: [{ name: 'DrillSucceeded', unit: 'Count', value: 0 }, { name: 'DrillFailed', unit: 'Count', value: 1 }],
  });
}

if (require.main === module) {
  runDrillTask().then((status) => {
    process.exitCode = status;
  }, (err: unknown) => {
    process.stderr.write(`drill-task: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
