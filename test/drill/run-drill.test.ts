import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { runCli } from '../../src/cli/program';
import { runDrill } from '../../src/drill/run-drill';
import { quoteIdent } from '../../src/quote';
import { RestoreReport } from '../../src/report';
import { RestoreSchemaOptions } from '../../src/restore-options';
import { createStandaloneTenants } from '../support/backups';
import { fakeCli } from '../support/cli';
import { createDatabase, execSql, stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

jest.setTimeout(120_000);

const cluster = useLocalCluster();
let work: string;
let scratch: string;
let backup: BackupResult;

beforeAll(async () => {
  const url = await createDatabase(cluster(), 'app');
  await createStandaloneTenants(url, ['customer_a1', 'customer_a2', 'customer_a3'], 20);
  scratch = await createDatabase(cluster(), 'scratch');
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-drill-'));
  backup = await backupDatabase({ source: url, to: join(work, 'backups'), schemas: ['customer_a1', 'customer_a2', 'customer_a3'] });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function schemasIn(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'customer%' ORDER BY 1")).rows.map((r) => r.n));
}

/**
 * Stands in for restoreSchema (the drill's restore is injectable): creates the restored schema in
 * the scratch database for real, so the drill's DROP is real, and fails for the schemas in `failing`
 * with a message that carries the target URL (the report must not).
 */
function fakeRestore(failing: string[] = [], calls: RestoreSchemaOptions[] = []): (o: RestoreSchemaOptions) => Promise<RestoreReport> {
  return async (options) => {
    calls.push(options);
    const [schema] = options.schemas;
    if (failing.includes(schema)) throw new Error(`validation failed for ${schema} restoring into ${String(options.target)}`);
    const restored = `${schema}${options.suffix!}`;
    await execSql(String(options.target), `CREATE SCHEMA ${quoteIdent(restored)}; CREATE TABLE ${quoteIdent(restored)}.t AS SELECT 1 AS x`);
    return {
      restoreId: 'r',
      restorePoint: backup.manifest.snapshotAt,
      warnings: [],
      durationMs: 5,
      schemas: [{ source: schema, restored, sequences: [], tables: [{ name: 'orders', kind: 'table', rows: 20, bytes: 700, sourceRows: 20, checksumMatch: true, durationMs: 1 }] }],
    };
  };
}

test('a drill restores every tenant of the newest backup from that backup, times each, drops them, and passes', async () => {
  const calls: RestoreSchemaOptions[] = [];
  const from = join(work, 'backups', 'app');
  const report = await runDrill({ from, target: scratch, maxAgeMs: 3_600_000, restore: fakeRestore([], calls) });
  expect(calls.map((c) => c.source)).toEqual(['customer_a1', 'customer_a2', 'customer_a3'].map(() => ({ kind: 'backup', location: from, at: new Date(backup.manifest.snapshotAt) })));
  expect(calls.map((c) => c.schemas)).toEqual([['customer_a1'], ['customer_a2'], ['customer_a3']]);
  expect(calls[0].suffix).toMatch(/^_drill_[0-9a-f]{8}$/);
  expect(report.verdict).toBe('pass');
  expect(report.backup).toEqual({ location: backup.location, database: 'app', snapshotAt: backup.manifest.snapshotAt, ageMs: expect.any(Number), maxAgeMs: 3_600_000, stale: false });
  expect(report.backup.ageMs).toBeGreaterThanOrEqual(0);
  expect(report.tenants.map((t) => [t.schema, t.verdict, t.rows, t.bytes, t.problems])).toEqual([
    ['customer_a1', 'pass', 20, 700, []], ['customer_a2', 'pass', 20, 700, []], ['customer_a3', 'pass', 20, 700, []],
  ]);
  for (const t of report.tenants) {
    expect(t.durationMs).toBeGreaterThanOrEqual(0);
    expect(t.archiveBytes).toBe(backup.manifest.schemas.find((s) => s.name === t.schema)!.bytes);
  }
  expect(await schemasIn(scratch)).toEqual([]);
  expect(report.target).not.toContain(cluster().password);
});

test('a tenant that fails fails the drill but not the others; the CLI exits 1 and writes a 0600 report without the password', async () => {
  const reportPath = join(work, 'drill.md');
  const cli = fakeCli(fakeRestore(['customer_a2']), { now: () => new Date() });
  const code = await runCli(['drill', '--from', join(work, 'backups'), '--target', scratch, '--report', reportPath, '-q'], cli.deps);
  expect(code).toBe(1);
  const md = readFileSync(reportPath, 'utf8');
  expect(statSync(reportPath).mode.toString(8).slice(-3)).toBe('600');
  expect(md).toContain('**Verdict: FAIL** — 2 of 3 tenant(s) restored, validated and dropped.');
  expect(md).toMatch(/^\| customer_a1 \| pass \| \d+ ms \| 20 \| 700 B \| [\d.]+ kB \| — \|$/m);
  expect(md).toMatch(/^\| customer_a2 \| \*\*FAIL\*\* \| \d+ ms \| 0 \| 0 B \| [\d.]+ kB \| validation failed for customer_a2 restoring into postgres:\/\/.*\|$/m);
  expect(md).toContain(`| Backup | ${backup.location} |`);
  expect(md).not.toContain(cluster().password);
  expect(cli.stdout.text).toBe(md);
  expect(await schemasIn(scratch)).toEqual([]);
  expect(await stagingLikeSchemas(scratch)).toEqual([]);
});

test('drill exit codes: 0 when all pass, 1 when the backup is older than --max-age, 2 on bad usage; --json prints the report', async () => {
  const from = join(work, 'backups');
  const ok = fakeCli(fakeRestore(), { now: () => new Date() });
  expect(await runCli(['drill', '--from', from, '--target', scratch, '--schema', 'customer_a3', '--json', '--max-age', '1h'], ok.deps)).toBe(0);
  const json = JSON.parse(ok.stdout.text) as { verdict: string; selection: string; tenants: { schema: string; durationMs: number }[] };
  expect([json.verdict, json.selection, json.tenants.map((t) => t.schema)]).toEqual(['pass', 'named', ['customer_a3']]);
  expect(typeof json.tenants[0].durationMs).toBe('number');

  const later = new Date(Date.parse(backup.manifest.snapshotAt) + 26 * 3_600_000);
  const stale = fakeCli(fakeRestore(), { now: () => later });
  expect(await runCli(['drill', '--from', from, '--target', scratch, '--sample', '1', '--max-age', '25h', '--json'], stale.deps)).toBe(1);
  type Stale = { verdict: string; problems: string[]; backup: { stale: boolean }; tenants: { verdict: string }[] };
  const staleReport = JSON.parse(stale.stdout.text) as Stale;
  expect(staleReport.backup.stale).toBe(true);
  expect(staleReport.tenants.map((t) => t.verdict)).toEqual(['pass']);
  expect(staleReport.problems).toEqual([expect.stringMatching(/^the backup is 26 h old, more than the 25 h allowed$/)]);

  const bad = fakeCli(fakeRestore());
  expect(await runCli(['drill', '--from', from, '--target', scratch, '--schema', 'customer_a1', '--sample', '2'], bad.deps)).toBe(2);
  expect(bad.stderr.text).toMatch(/--schema or --sample, not both/);
  const missing = fakeCli(fakeRestore());
  expect(await runCli(['drill', '--from', from, '--target', scratch, '--schema', 'nope'], missing.deps)).toBe(1);
  expect(missing.stderr.text).toMatch(/has no schema "nope"/);
});

test('a scratch database that cannot be reached: each tenant fails with the reason and the report is still written, without its password', async () => {
  const unreachable = `postgres://drill:s3cret-pw@127.0.0.1:${cluster().port}/no_such_database`;
  const events: string[] = [];
  const report = await runDrill({
    from: join(work, 'backups', 'app'),
    target: unreachable,
    schemas: ['customer_a1', 'customer_a2'],
    onProgress: (e) => { if (e.type === 'log') events.push(e.message); },
  });
  expect(report.verdict).toBe('fail');
  expect(report.tenants.map((t) => [t.schema, t.verdict])).toEqual([['customer_a1', 'fail'], ['customer_a2', 'fail']]);
  expect(report.tenants[0].problems.join(' ')).toMatch(/no_such_database/);
  expect(events).toContainEqual(expect.stringMatching(/^drill: could not look for leftovers of earlier drills in the scratch database: .*no_such_database/));
  expect(JSON.stringify(report) + events.join('\n')).not.toContain('s3cret-pw');
});
