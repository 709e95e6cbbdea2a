import { copyDatabaseAsPast } from '../../src/cli/demo-scenario';
import { runCli } from '../../src/cli/program';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases, sampleRowCounts } from '../../src/sample';
import { fakeCli } from '../support/cli';
import { useLocalCluster } from '../support/postgres';

const PASSWORD = 'c0rrect-h0rse';
const cluster = useLocalCluster({ password: PASSWORD });

describe('pg-schema-restore restore against a real server', () => {
  beforeAll(async () => {
    await createSampleDatabases(cluster(), { rows: 50, databases: { tenant_a: ['customer_a1'] } });
    await copyDatabaseAsPast(cluster().url('postgres'), 'tenant_a', 'tenant_a_past');
  });

  test('--json: the report of a real restore, and nothing else on stdout', async () => {
    const cli = fakeCli(restoreSchema);
    const code = await runCli(['restore', '--source', cluster().url('tenant_a_past'), '--target', cluster().url('tenant_a'),
      '--schema', 'customer_a1', '--suffix', '_cli', '--jobs', '2', '--json'], cli.deps);
    expect(cli.stderr.text).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(cli.stdout.text);
    expect(report.schemas).toHaveLength(1);
    expect(report.schemas[0]).toMatchObject({ source: 'customer_a1', restored: 'customer_a1_cli' });
    const orders = report.schemas[0].tables.find((t: { name: string }) => t.name === 'orders');
    expect(orders).toMatchObject({ rows: sampleRowCounts(50).orders, checksumMatch: true });
  });

  test('a taken name exits 2; a wrong password exits 1; neither prints a password', async () => {
    const taken = fakeCli(restoreSchema);
    expect(await runCli(['restore', '--source', cluster().url('tenant_a_past'), '--target', cluster().url('tenant_a'),
      '--schema', 'customer_a1', '--suffix', '_cli'], taken.deps)).toBe(2);
    expect(taken.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: schema "customer_a1_cli" already exists in the target/)]);

    const wrong = fakeCli(restoreSchema);
    const badUrl = cluster().url('tenant_a').replace(PASSWORD, 'Wr0ng-guess');
    expect(await runCli(['restore', '--source', badUrl, '--target', badUrl, '--schema', 'customer_a1'], wrong.deps)).toBe(1);
    expect(wrong.stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: cannot connect to the .* database .*password authentication failed/)]);
    for (const out of [taken.stderr.text, taken.stdout.text, wrong.stderr.text, wrong.stdout.text]) {
      expect(out).not.toContain(PASSWORD);
      expect(out).not.toContain('Wr0ng-guess');
    }
  });
});
