import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { createSampleDatabases } from '../../src/sample';
import { fakeCli } from '../support/cli';
import { execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

async function schemaNames(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>('SELECT nspname AS n FROM pg_namespace ORDER BY 1')).rows.map((r) => r.n));
}

describe('restore --dry-run', () => {
  let url: string;
  beforeAll(async () => {
    url = (await createSampleDatabases(cluster(), { rows: 40 })).tenant_a;
    await execSql(url, 'ANALYZE');
  }, 120_000);

  test('prints source, restore point, schemas → names, tables with estimated rows and bytes, the steps; creates nothing', async () => {
    const before = await schemaNames(url);
    const cli = fakeCli(async () => {
      throw new Error('a dry run must not restore');
    });
    expect(await runCli(['restore', '--source', url, '--target', url, '--schema', 'customer_a1', '--suffix', '_x', '--dry-run'], cli.deps)).toBe(0);
    const out = cli.stdout.text;
    expect(out).toMatch(/^Plan \(dry run: nothing was created or changed\)\n/);
    // Throwaway servers always have a password; the plan never shows it.
    expect(out).toContain(`  source:        database ${url.replace(`:${cluster().password}@`, ':***@')}`);
    expect(out).not.toContain(cluster().password!);
    expect(out).toContain('  restore point: the moment the restore starts');
    expect(out).toContain('    customer_a1 → customer_a1_x');
    expect(out).toMatch(/\n {6}users +40 rows +\d+(\.\d)? kB\n/);
    expect(out).toMatch(/\n {4}\d\. copy the rows with streaming COPY, 4 tables at a time\n/);
    expect(out).toMatch(/publish as customer_a1_x in one transaction/);
    expect(cli.calls).toHaveLength(0);
    expect(await schemaNames(url)).toEqual(before);
  });

  test('--json prints the plan as one JSON object', async () => {
    const cli = fakeCli(async () => {
      throw new Error('a dry run must not restore');
    });
    expect(await runCli(['restore', '--source', url, '--target', url, '--schema', 'customer_a2', '--dry-run', '--json', '--no-validate'], cli.deps)).toBe(0);
    const plan = JSON.parse(cli.stdout.text);
    expect(plan.schemas[0]).toMatchObject({ source: 'customer_a2', restored: expect.stringMatching(/^customer_a2_\d{14}$/) });
    expect(plan.schemas[0].tables).toEqual(expect.arrayContaining([{ name: 'users', estimatedRows: 40, estimatedBytes: expect.any(Number) }]));
    expect(plan.steps.join('\n')).not.toMatch(/checksums/);
  });

  test('the same bad input as a restore: a missing schema, a taken name (exit 2, one line)', async () => {
    const cli = fakeCli(async () => {
      throw new Error('not reached');
    });
    expect(await runCli(['restore', '--source', url, '--target', url, '--schema', 'customer_zz', '--dry-run'], cli.deps)).toBe(2);
    // The cluster's URL carries its password: the CLI warns about that first.
    expect(cli.stderr.lines()).toEqual([`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`, 'pg-schema-restore: schema "customer_zz" does not exist in the source; check the name (it is case-sensitive) or the source']);
    await execSql(url, 'CREATE SCHEMA customer_a1_taken');
    const taken = fakeCli(async () => {
      throw new Error('not reached');
    });
    expect(await runCli(['restore', '--source', url, '--target', url, '--schema', 'customer_a1', '--suffix', '_taken', '--dry-run'], taken.deps)).toBe(2);
    expect(taken.stderr.lines()).toEqual([`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`, 'pg-schema-restore: schema "customer_a1_taken" already exists in the target; choose another --suffix or drop it first']);
  });
});
