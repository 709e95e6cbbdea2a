import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AbortedError, timestampSuffix } from '../../src';
import { runDemo } from '../../src/cli/demo';
import { runCli } from '../../src/cli/program';
import { LocalCluster, startLocalCluster } from '../../src/local';
import { restoreSchema } from '../../src/restore-schema';
import { sampleRowCounts } from '../../src/sample';
import { fakeCli } from '../support/cli';

/** The demo's work directories (backups, WAL archive) in the temporary directory. */
function demoDirs(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith('pgsr-demo-')).sort();
}

/** Starts real clusters and remembers them, to check the demo removes them. */
function recordingStart(started: LocalCluster[]): typeof startLocalCluster {
  return async (options) => {
    const cluster = await startLocalCluster(options);
    started.push(cluster);
    return cluster;
  };
}

describe('demo', () => {
  test('restores the damaged schema as of T (PITR) and from the tenant backups --at T, shows live vs restored, proves the other tenants untouched, cleans up', async () => {
    const started: LocalCluster[] = [];
    const demoDirsBefore = demoDirs();
    const cli = fakeCli(restoreSchema, { startCluster: recordingStart(started) });
    const result = await runDemo({ rows: 100 }, cli.deps);

    const expected = sampleRowCounts(100);
    expect(result.report.schemas.map((s) => s.source)).toEqual(['customer_a1']);
    expect(result.report.schemas[0].restored).toMatch(/^customer_a1_\d{14}$/);
    expect(result.backupReport.schemas[0].restored).toBe('customer_a1_from_backup');
    // --at T chose last night's backup, not the hourly one taken after the incident.
    expect(result.backupReport.restorePoint).toBe(result.nightlyBackupAt.toISOString());
    // runDemo itself fails unless each restored copy has the exact digests of its moment; here, the story's numbers.
    for (const row of result.comparison) {
      expect({ table: row.table, restored: row.restored }).toEqual({ table: row.table, restored: row.atRestorePoint });
    }
    expect(result.comparison.find((r) => r.table === 'orders')).toEqual({
      table: 'orders',
      atRestorePoint: expected.orders + 25,
      live: expected.orders + 25 - result.damage.deletedOrders,
      restored: expected.orders + 25,
      fromBackup: expected.orders,
    });
    expect(result.overwrittenEmails).toEqual({ live: 50, restored: 0 });
    expect(result.drill.verdict).toBe('pass');
    expect(result.drill.tenants.map((t) => [t.schema, t.verdict])).toEqual([['customer_a1', 'pass'], ['customer_a2', 'pass'], ['public', 'pass']]);
    expect(result.untouched.map((u) => `${u.database}.${u.schema}:${u.changedTables.length}`)).toEqual([
      'tenant_a.customer_a1:0', 'tenant_a.customer_a2:0', 'tenant_b.customer_b1:0', 'tenant_b.customer_b2:0',
    ]);
    expect(result.report.restorePoint).toBe(result.restorePoint.toISOString());
    expect(result.report.schemas[0].restored).toBe(`customer_a1${timestampSuffix(result.restorePoint)}`);

    // The repair: the diff shows the deleted orders (and their items) and the overwritten e-mails; repair --deleted puts back exactly the deleted rows.
    const before = Object.fromEntries(result.repair.before.tables.map((t) => [t.table, t]));
    expect(before.orders).toMatchObject({ deleted: result.damage.deletedOrders, added: 0, changed: 0 });
    expect(before.users).toMatchObject({ deleted: 0, added: 0, changed: 50 });
    const repaired = Object.fromEntries(result.repair.repair.tables.map((t) => [t.table, t.deleted]));
    expect(repaired).toEqual(Object.fromEntries(result.repair.before.tables.map((t) => [t.table, t.deleted])));
    expect(result.repair.repair.tables.map((t) => t.table).indexOf('orders')).toBeLessThan(result.repair.repair.tables.map((t) => t.table).indexOf('order_items'));
    expect(result.repair.after.tables.map((t) => [t.table, t.deleted])).toEqual(result.repair.after.tables.map((t) => [t.table, 0]));
    // The tenant's audit trigger fired for the re-inserted rows, as for any write.
    const audit = (diff: typeof result.repair.before): number => diff.tables.find((t) => t.table === 'audit_log')?.added ?? 0;
    expect(audit(result.repair.after)).toBeGreaterThan(audit(result.repair.before));
    expect(result.repair.after.tables.find((t) => t.table === 'users')?.changed).toBe(50);

    const out = cli.stdout.text;
    expect(out).toContain(`pg-schema-restore diff --schema customer_a1 --against ${result.report.schemas[0].restored}\n    `);
    expect(out).toMatch(new RegExp(`\\d of 5 tables differ: ${before.orders.deleted + before.order_items.deleted} deleted, \\d+ added, 50 changed rows`));
    expect(out).toContain(`    orders [key id]: deleted: re-inserted ${result.damage.deletedOrders} rows`);
    expect(out).toMatch(/Repaired "customer_a1" from "customer_a1_\d{14}": \d+ deleted rows re-inserted; verified: no deleted rows left/);
    expect(out).toMatch(/pg-schema-restore diff again: 0 deleted rows left; \d of 5 tables differ: 0 deleted, \d+ added, 50 changed rows/);
    for (const step of ['1. Starting', '2. Creating', "3. Last night's backups", '4. Business goes on', '5. Incident after T', '6. Restoring customer_a1 as it was at T',
      '7. For comparison', '8. Rows per table', '9. Nothing else was touched', '10. The monthly restore drill', '11. Finally, the repair', 'Stopping the throwaway servers']) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(/copy started: /); // plain progress lines: the test output is not a terminal
    expect(out).toMatch(/recovering the base backup/i);
    expect(out).toMatch(/✓ tenant_b\.customer_b2: 5 tables unchanged/);
    expect(out).toMatch(/The daily health check, backup check --max-age 25h: ok: tenant_a: newest backup/);
    expect(out).toMatch(/\*\*Verdict: PASS\*\* — 3 of 3 tenant\(s\) restored, validated and dropped/);
    expect(started).toHaveLength(1);
    expect(existsSync(started[0].dir)).toBe(false);
    expect(demoDirs()).toEqual(demoDirsBefore);
  });

  test('a failing restore: one stderr line, exit 1, and the throwaway server is gone', async () => {
    const started: LocalCluster[] = [];
    const cli = fakeCli(async () => {
      throw new Error('restore exploded');
    }, { startCluster: recordingStart(started) });
    expect(await runCli(['demo', '--rows', '20'], cli.deps)).toBe(1);
    expect(cli.stderr.lines()).toEqual(['pg-schema-restore: restore exploded (run with -v for details)']);
    expect(cli.stdout.text).toMatch(/Stopping the throwaway servers and removing their files and the backups\.\n$/);
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
