import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { dumpDatabase } from '../../src/local';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases, sampleRowCounts } from '../../src/sample';
import { fakeCli } from '../support/cli';
import { execSql, useLocalCluster } from '../support/postgres';

const PASSWORD = 'c0rrect-h0rse';
const cluster = useLocalCluster({ password: PASSWORD });

describe('pg-schema-restore restore against a real server', () => {
  beforeAll(async () => {
    await createSampleDatabases(cluster(), { rows: 50, databases: { tenant_a: ['customer_a1'] } });
    await execSql(cluster().url('postgres'), 'CREATE DATABASE tenant_a_past TEMPLATE tenant_a');
  });

  test('--json: the report of a real restore, and nothing else on stdout', async () => {
    const cli = fakeCli(restoreSchema);
    const code = await runCli(['restore', '--source', cluster().url('tenant_a_past'), '--target', cluster().url('tenant_a'),
      '--schema', 'customer_a1', '--suffix', '_cli', '--jobs', '2', '--json'], cli.deps);
    // The cluster's URLs carry its password: one warning, nothing else.
    expect(cli.stderr.lines()).toEqual([`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`]);
    expect(code).toBe(0);
    const report = JSON.parse(cli.stdout.text);
    expect(report.schemas).toHaveLength(1);
    expect(report.schemas[0]).toMatchObject({ source: 'customer_a1', restored: 'customer_a1_cli' });
    const orders = report.schemas[0].tables.find((t: { name: string }) => t.name === 'orders');
    expect(orders).toMatchObject({ rows: sampleRowCounts(50).orders, checksumMatch: true });
  });

  test('a taken name exits 2; a wrong password exits 1; neither prints a password; with -q stderr holds only the error', async () => {
    const taken = fakeCli(restoreSchema);
    expect(await runCli(['restore', '--source', cluster().url('tenant_a_past'), '--target', cluster().url('tenant_a'),
      '--schema', 'customer_a1', '--suffix', '_cli', '-q'], taken.deps)).toBe(2);
    expect(taken.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: schema "customer_a1_cli" already exists in the target/)]);

    const wrong = fakeCli(restoreSchema);
    const badUrl = cluster().url('tenant_a').replace(PASSWORD, 'Wr0ng-guess');
    expect(await runCli(['restore', '--source', badUrl, '--target', badUrl, '--schema', 'customer_a1', '-q'], wrong.deps)).toBe(1);
    expect(wrong.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: cannot connect to the .* database .*password authentication failed/)]);
    for (const out of [taken.stderr.text, taken.stdout.text, wrong.stderr.text, wrong.stdout.text]) {
      expect(out).not.toContain(PASSWORD);
      expect(out).not.toContain('Wr0ng-guess');
    }
  });

  test('--source <dump file>: --dry-run counts the archive\'s rows and creates nothing; then the restore, as of the dump time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-cli-dump-'));
    try {
      const file = join(dir, 'tenant_a.dump');
      await dumpDatabase(cluster(), 'tenant_a', file);
      const args = ['restore', '--source', file, '--target', cluster().url('tenant_a'), '--schema', 'customer_a1', '--suffix', '_dump'];
      const plan = fakeCli(restoreSchema);
      expect(await runCli([...args, '--dry-run', '--json'], plan.deps)).toBe(0);
      const parsed = JSON.parse(plan.stdout.text);
      expect(parsed.source).toMatch(/^pg_dump archive .*tenant_a\.dump \(custom format, dumped /);
      expect(parsed.schemas[0].tables).toEqual(expect.arrayContaining([{ name: 'orders', estimatedRows: sampleRowCounts(50).orders, estimatedBytes: expect.any(Number) }]));
      expect(plan.calls).toHaveLength(0);

      const cli = fakeCli(restoreSchema);
      expect(await runCli([...args, '--json'], cli.deps)).toBe(0);
      const report = JSON.parse(cli.stdout.text);
      expect(report.restorePoint).toBe(parsed.restorePoint);
      expect(report.schemas[0].tables.find((t: { name: string }) => t.name === 'orders')).toMatchObject({ rows: sampleRowCounts(50).orders, checksumMatch: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad sources: a missing archive and a base backup directory that is not one exit 2 with one line', async () => {
    const missing = fakeCli(restoreSchema);
    expect(await runCli(['restore', '--source', '/nonexistent/tenant_a.dump', '--target', cluster().url('tenant_a'), '--schema', 'customer_a1', '-q'], missing.deps)).toBe(2);
    expect(missing.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: .*\/nonexistent\/tenant_a\.dump/)]);
    const notBackup = fakeCli(restoreSchema);
    expect(await runCli(['restore', '--source', `pitr:${tmpdir()}?wal=${tmpdir()}`, '--at', '2024-01-28T14:30:00Z',
      '--target', cluster().url('tenant_a'), '--schema', 'customer_a1', '-q'], notBackup.deps)).toBe(2);
    expect(notBackup.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: .* is not a usable base backup/)]);
    expect(notBackup.stdout.text).not.toContain(PASSWORD);
  });
});
