import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { runCli } from '../../src/cli/program';
import { DrillReport } from '../../src/drill/drill-report';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

jest.setTimeout(300_000);

const cluster = useLocalCluster();
let work: string;
let scratch: string;
let backup: BackupResult;

beforeAll(async () => {
  // The scratch database has public's shared objects (citext, the lookup table) as production does.
  const urls = await createSampleDatabases(cluster(), { rows: 30, databases: { app: ['customer_a1', 'customer_a2'], scratch: ['customer_z9'] } });
  scratch = urls.scratch;
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-drill-e2e-'));
  backup = await backupDatabase({ source: urls.app, to: join(work, 'backups') });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function schemasIn(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'customer%' ORDER BY 1")).rows.map((r) => r.n));
}

function drillCli(): ReturnType<typeof fakeCli> {
  return fakeCli(restoreSchema, { now: () => new Date() });
}

test('a drill with restoreSchema restores the tenants from the backup into the scratch database, validates them, drops them and passes', async () => {
  const cli = drillCli();
  const code = await runCli(['drill', '--from', join(work, 'backups', 'app'), '--target', scratch, '--schema', 'customer_a1', '--schema', 'customer_a2',
    '--max-age', '1h', '--json'], cli.deps);
  expect(cli.stderr.text).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(cli.stdout.text) as DrillReport;
  expect(report.verdict).toBe('pass');
  expect(report.backup.location).toBe(backup.location);
  const expectedRows = (schema: string): number =>
    backup.manifest.schemas.find((s) => s.name === schema)!.relations.reduce((n, r) => n + (r.rows ?? 0), 0);
  expect(report.tenants.map((t) => [t.schema, t.verdict, t.rows, t.problems])).toEqual([
    ['customer_a1', 'pass', expectedRows('customer_a1'), []],
    ['customer_a2', 'pass', expectedRows('customer_a2'), []],
  ]);
  for (const t of report.tenants) {
    expect(t.durationMs).toBeGreaterThan(0);
    expect(t.bytes).toBeGreaterThan(0);
    expect(t.restoredAs).toMatch(new RegExp(`^${t.schema}_drill_[0-9a-f]{8}$`));
  }
  expect(await schemasIn(scratch)).toEqual(['customer_z9']);
  expect(await stagingLikeSchemas(scratch)).toEqual([]);
});

test('a damaged archive fails its tenant (BACKUP_CORRUPT), the other tenant still passes, and drill exits 1', async () => {
  const copy = join(work, 'damaged');
  cpSync(join(work, 'backups'), copy, { recursive: true });
  const [run] = readdirSync(join(copy, 'app'));
  const path = join(copy, 'app', run, 'customer_a2.dump');
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length * 0.9);
  bytes[at] = 255 - bytes[at];
  writeFileSync(path, bytes);
  const cli = drillCli();
  const reportPath = join(work, 'damaged.md');
  expect(await runCli(['drill', '--from', join(copy, 'app'), '--target', scratch, '--schema', 'customer_a1', '--schema', 'customer_a2', '--report', reportPath, '-q'],
    cli.deps)).toBe(1);
  const md = readFileSync(reportPath, 'utf8');
  expect(md).toContain('**Verdict: FAIL** — 1 of 2 tenant(s) restored, validated and dropped.');
  expect(md).toMatch(/^\| customer_a1 \| pass \| .* \| — \|$/m);
  expect(md).toMatch(/^\| customer_a2 \| \*\*FAIL\*\* \| .*customer_a2\.dump: its sha256 differs from the manifest/m);
  expect(md).not.toContain(cluster().password);
  expect(await schemasIn(scratch)).toEqual(['customer_z9']);
});
