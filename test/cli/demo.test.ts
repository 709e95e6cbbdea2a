import { existsSync } from 'node:fs';
import { AbortedError, LocalCluster, startLocalCluster } from '../../src';
import { runDemo } from '../../src/cli/demo';
import { runCli } from '../../src/cli/program';
import { restoreSchema } from '../../src/restore-schema';
import { sampleRowCounts } from '../../src/sample';
import { fakeCli } from '../support/cli';

/** Starts real clusters and remembers them, to check the demo removes them. */
function recordingStart(started: LocalCluster[]): typeof startLocalCluster {
  return async (options) => {
    const cluster = await startLocalCluster(options);
    started.push(cluster);
    return cluster;
  };
}

describe('demo', () => {
  test('restores the damaged schema side by side, shows live vs restored, proves the other tenants untouched, cleans up', async () => {
    const started: LocalCluster[] = [];
    const cli = fakeCli(restoreSchema, { startCluster: recordingStart(started) });
    const result = await runDemo({ rows: 100 }, cli.deps);

    const expected = sampleRowCounts(100);
    expect(result.report.schemas.map((s) => s.source)).toEqual(['customer_a1']);
    expect(result.report.schemas[0].restored).toMatch(/^customer_a1_\d{14}$/);
    for (const row of result.comparison) {
      expect({ table: row.table, restored: row.restored }).toEqual({ table: row.table, restored: row.past });
    }
    expect(result.comparison.find((r) => r.table === 'orders')).toEqual({
      table: 'orders', past: expected.orders, live: expected.orders + 25 - result.damage.deletedOrders, restored: expected.orders,
    });
    expect(result.overwrittenEmails).toEqual({ live: 50, restored: 0 });
    expect(result.untouched.map((u) => `${u.database}.${u.schema}:${u.changedTables.length}`)).toEqual([
      'tenant_a.customer_a1:0', 'tenant_a.customer_a2:0', 'tenant_b.customer_b1:0', 'tenant_b.customer_b2:0',
    ]);

    const out = cli.stdout.text;
    for (const step of ['1. Starting', '2. Creating', '3. Keeping a copy', '4. Business goes on', '5. Incident', '6. Restoring', '7. Live (damaged) vs restored',
      '8. Nothing else was touched', '9. Next', 'Stopping the throwaway server']) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(/copy started: /); // plain progress lines: the test output is not a terminal
    expect(out).toMatch(/✓ tenant_b\.customer_b2: 5 tables unchanged/);
    expect(started).toHaveLength(1);
    expect(existsSync(started[0].dir)).toBe(false);
  });

  test('a failing restore: one stderr line, exit 1, and the throwaway server is gone', async () => {
    const started: LocalCluster[] = [];
    const cli = fakeCli(async () => {
      throw new Error('restore exploded');
    }, { startCluster: recordingStart(started) });
    expect(await runCli(['demo', '--rows', '20'], cli.deps)).toBe(1);
    expect(cli.stderr.lines()).toEqual(['pg-schema-restore: restore exploded (run with DEBUG=pg-schema-restore for details)']);
    expect(cli.stdout.text).toMatch(/Stopping the throwaway server and removing its files\.\n$/);
    expect(existsSync(started[0].dir)).toBe(false);
  });

  test('an interrupted demo stops at the next step and removes the server', async () => {
    const started: LocalCluster[] = [];
    const controller = new AbortController();
    const cli = fakeCli(async () => {
      throw new Error('not reached');
    }, {
      startCluster: async (options) => {
        const cluster = await recordingStart(started)(options);
        controller.abort();
        return cluster;
      },
    });
    await expect(runDemo({ rows: 20, signal: controller.signal }, cli.deps)).rejects.toBeInstanceOf(AbortedError);
    expect(cli.calls).toHaveLength(0);
    expect(existsSync(started[0].dir)).toBe(false);
  });
});
