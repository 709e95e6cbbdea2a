import { EventEmitter } from 'node:events';
import { text } from 'node:stream/consumers';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { runName } from '../../src/backups/backup-layout';
import { openBackupStore } from '../../src/backups/backup-store';
import type { DrillReport } from '../../src/drill/drill-report';
import { runDrillTask } from '../../src/handlers/drill-task';
import type { ScheduledTaskDeps } from '../../src/handlers/scheduled-task';
import { createSampleDatabases } from '../../src/testing';
import { stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';
import { useLocalS3 } from '../support/s3';
import { runTaskProgram, TaskRun } from '../support/task-runs';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
let scratch: string;
let backup: BackupResult;

beforeAll(async () => {
  // The drill database has public's shared objects (citext, the lookup table) as production does.
  const urls = await createSampleDatabases(cluster(), { rows: 30, databases: { app: ['customer_a1', 'customer_a2'], scratch: ['customer_z9'] } });
  scratch = urls.scratch;
  backup = await backupDatabase({ source: urls.app, to: 's3://backups/good/backups/', s3: { client: s3().client } });
}, 120_000);

/** Run the real entry function: the drill database's secret has no host (PGSR_DRILL_HOST/PORT give it). */
async function runTask(prefix: string, env: Record<string, string> = {}, deps: Partial<ScheduledTaskDeps> = {},
  onLine?: (line: string) => void): Promise<TaskRun> {
  const secretsManager = new SecretsManagerClient({ region: 'eu-west-1', credentials });
  mockClient(secretsManager).on(GetSecretValueCommand, { SecretId: 'drill' })
    .resolves({ SecretString: JSON.stringify({ username: cluster().user, password: cluster().password }) });
  return runTaskProgram(runDrillTask, {
    env: {
      PGSR_DATABASE_NAME: 'app',
      PGSR_BACKUP_LOCATION: `s3://backups/${prefix}/backups/`,
      PGSR_DRILL_LOCATION: 's3://backups/reports/drills/',
      PGSR_DRILL_SECRET_ARN: 'drill',
      PGSR_DRILL_DATABASE: 'scratch',
      PGSR_DRILL_HOST: cluster().host,
      PGSR_DRILL_PORT: String(cluster().port),
      PGSR_DRILL_SCHEMAS: '["customer_a1"]',
      PGSR_DRILL_MAX_AGE_HOURS: '1',
      PGSR_METRICS_NAMESPACE: 'PgSchemaRestore',
      PGSR_BACKUP_SET: 'NightlyTenants',
      ...env,
    },
    deps: { secretsManager, s3: s3().client, ...deps },
    onLine,
  });
}

/** The reports kept for a drill that started at `date`. */
async function keptReport(date: string): Promise<{ json: DrillReport; markdown: string }> {
  const store = openBackupStore('s3://backups/reports/drills/app/', { client: s3().client });
  const name = runName(new Date(date));
  return { json: JSON.parse(await text(await store.read(`${name}.json`))) as DrillReport, markdown: await text(await store.read(`${name}.md`)) };
}

/** The report whose JSON line the task logged last names: the newest report object. */
async function newestReport(): Promise<{ json: DrillReport; markdown: string }> {
  const store = openBackupStore('s3://backups/reports/drills/app/', { client: s3().client });
  const names: string[] = [];
  for await (const o of store.list()) if (o.key.endsWith('.json')) names.push(o.key);
  const json = JSON.parse(await text(await store.read(names.sort().pop()!))) as DrillReport;
  return keptReport(json.date);
}

async function drillLeftovers(): Promise<string[]> {
  const schemas = await withClient(scratch, async (c) => (await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE '%drill%'")).rows.map((r) => r.n));
  return [...schemas, ...await stagingLikeSchemas(scratch)];
}

function expectNoPassword(...texts: string[]): void {
  for (const t of texts) expect(t).not.toContain(cluster().password);
}

test('a passing drill: report as JSON and Markdown under drills/<database>/, DrillSucceeded=1, DrillRto, DrillTenants, DrillBackupAge', async () => {
  const run = await runTask('good');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const { json, markdown } = await newestReport();
  expect(json.verdict).toBe('pass');
  expect(json.backup.location).toBe(backup.location);
  expect(json.tenants.map((t) => [t.schema, t.verdict])).toEqual([['customer_a1', 'pass']]);
  expect(markdown).toContain('**Verdict: PASS**');
  const m = run.metrics;
  expect(Object.keys(m).sort()).toEqual(['DrillBackupAge', 'DrillFailed', 'DrillRto', 'DrillSucceeded', 'DrillTenants']);
  for (const metric of Object.values(m)) expect(metric.Dimensions).toEqual([{ Name: 'BackupSet', Value: 'NightlyTenants' }, { Name: 'Database', Value: 'app' }]);
  expect(m.DrillSucceeded).toMatchObject({ Value: 1, Unit: 'Count' });
  expect(m.DrillFailed).toMatchObject({ Value: 0, Unit: 'Count' });
  expect(m.DrillTenants).toMatchObject({ Value: 1, Unit: 'Count' });
  expect(m.DrillRto).toMatchObject({ Value: json.tenants[0].durationMs / 1000, Unit: 'Seconds' });
  expect(m.DrillRto.Value).toBeGreaterThan(0);
  expect(m.DrillBackupAge).toMatchObject({ Value: json.backup.ageMs / 1000, Unit: 'Seconds' });
  expect(m.DrillBackupAge.Value).toBeGreaterThan(0);
  expect(m.DrillBackupAge.Value).toBeLessThan(3600);
  expect(run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { message?: string }).message))
    .toContain(`drill passed; report: s3://backups/reports/drills/app/${runName(new Date(json.date))}.md`);
  expect(await drillLeftovers()).toEqual([]);
  expectNoPassword(run.stdout, run.stderr, JSON.stringify(run.putMetricData), JSON.stringify(json), markdown);
});

test('a backup older than PGSR_DRILL_MAX_AGE_HOURS fails the drill: DrillFailed=1, exit 1, the report is still kept', async () => {
  const run = await runTask('good', { PGSR_DRILL_MAX_AGE_HOURS: '0.0001' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^drill-task: the drill failed: the backup is \d+ min old, more than the 0 min allowed; report: s3:\/\/backups\/reports\/drills\/app\/[^/]+\.md\n$/);
  expect(run.metrics.DrillFailed.Value).toBe(1);
  expect(run.metrics.DrillSucceeded.Value).toBe(0);
  const { json, markdown } = await newestReport();
  expect(json.verdict).toBe('fail');
  expect(json.backup.stale).toBe(true);
  expect(markdown).toContain('**Verdict: FAIL**');
});

test('a damaged archive fails its tenant: DrillFailed=1, exit 1, the report says which archive', async () => {
  // A copy of the good run with one byte of customer_a1's archive flipped.
  const from = openBackupStore('s3://backups/good/backups/', { client: s3().client });
  const to = openBackupStore('s3://backups/damaged/backups/', { client: s3().client });
  for await (const object of from.list()) {
    const bytes = Buffer.concat(await (await from.read(object.key)).toArray() as Buffer[]);
    if (object.key.endsWith('customer_a1.dump')) {
      const at = Math.floor(bytes.length * 0.9);
      bytes[at] = 255 - bytes[at];
    }
    await to.write(object.key, bytes);
  }
  const run = await runTask('damaged');
  expect(run.status).toBe(1);
  expect(run.metrics.DrillFailed.Value).toBe(1);
  expect(run.metrics.DrillTenants.Value).toBe(1);
  const { json } = await newestReport();
  expect(json.tenants[0]).toMatchObject({ schema: 'customer_a1', verdict: 'fail' });
  expect(json.tenants[0].problems.join(' ')).toMatch(/customer_a1\.dump: its sha256 differs from the manifest/);
  expect(await drillLeftovers()).toEqual([]);
});

test('no backup to drill: the drill cannot run — DrillFailed=1, one line, exit 1, only the failure metrics', async () => {
  const run = await runTask('empty');
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^drill-task: no complete backup under s3:\/\/backups\/empty\/backups\/app\/; check the location, or run backup first\n$/);
  expect(run.metrics).toEqual({ DrillSucceeded: expect.objectContaining({ Value: 0 }), DrillFailed: expect.objectContaining({ Value: 1 }) });
});

test('SIGTERM mid-drill: the restore is stopped and cleaned up, DrillFailed=1 is published, exit 130', async () => {
  const signals = new EventEmitter();
  let sinceRestoring = -1;
  // Two events into the restore itself, so that it has begun to create things it must remove.
  const run = await runTask('good', {}, { signals }, (line) => {
    if (line.includes('"drill: restoring customer_a1')) sinceRestoring = 0;
    else if (sinceRestoring >= 0 && ++sinceRestoring === 2) signals.emit('SIGTERM');
  });
  expect(sinceRestoring).toBeGreaterThanOrEqual(2);
  expect(run.status).toBe(130);
  expect(run.stderr).toBe('drill-task: restore aborted; everything it created has been removed\n');
  expect(run.metrics.DrillFailed.Value).toBe(1);
  expect(await drillLeftovers()).toEqual([]);
});

test('PGSR_DRILL_SCHEMAS and PGSR_DRILL_SAMPLE together are a deployment error', async () => {
  const run = await runTask('good', { PGSR_DRILL_SAMPLE: '2' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^drill-task: PGSR_DRILL_SCHEMAS and PGSR_DRILL_SAMPLE are both set/);
  expect(run.metrics.DrillFailed.Value).toBe(1);
});
