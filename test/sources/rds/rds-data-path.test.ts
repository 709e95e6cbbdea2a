import { ProgressEvent, restoreSchema } from '../../../src';
import { Ledger, memoryLedgerStore } from '../../../src/aws';
import { createSampleDatabases } from '../../../src/sample';
import { tableDigest, useLocalCluster, withClient } from '../../support/postgres';
import { fakeRds } from '../../support/rds';

const PASSWORD = 'rds-master-pw';
const AT = new Date('2024-01-28T14:30:00Z');

describe('restoreSchema from RDS: the data path through a temporary instance', () => {
  const temporary = useLocalCluster({ password: PASSWORD }); // what RDS would have restored, reachable at the mocked endpoint
  const live = useLocalCluster();
  beforeAll(async () => {
    await createSampleDatabases(temporary(), { rows: 40 });
    await createSampleDatabases(live(), { rows: 40 });
  });

  test('customer_a1 comes back side by side, exact; the temporary instance is deleted afterwards', async () => {
    const rds = fakeRds({ endpoint: { Address: '127.0.0.1', Port: temporary().port }, instanceStatuses: ['available'] });
    const ledger = new Ledger(memoryLedgerStore(), 'r-data');
    const events: ProgressEvent[] = [];
    const report = await restoreSchema({
      source: { kind: 'rds', id: 'prod-db', restoreTime: AT, credentials: { username: 'postgres', password: PASSWORD } },
      target: live().url('tenant_a'),
      schemas: ['customer_a1'],
      clients: { rds: rds.client },
      ledger,
      tls: false, // the local server has no TLS; RDS connections verify it
      onProgress: (e) => events.push(e),
    });
    expect(report.restoreId).toBe('r-data');
    expect(report.restorePoint).toBe(AT.toISOString());
    expect(report.schemas[0].restored).toBe('customer_a1_20240128143000');
    expect(rds.createInputs[0]).toMatchObject({ TargetDBInstanceIdentifier: 'pgsr-r-data', RestoreTime: AT });
    const tables = await withClient(temporary().url('tenant_a'), async (c) => (await c.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'customer_a1' ORDER BY 1")).rows.map((r) => r.t));
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect(await tableDigest(live().url('tenant_a'), 'customer_a1_20240128143000', table)).toEqual(await tableDigest(temporary().url('tenant_a'), 'customer_a1', table));
    }
    expect(rds.deleted).toEqual(['pgsr-r-data']);
    expect(await ledger.entries()).toEqual([]);
    const phases = events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && `${e.phase}:${e.status}`);
    expect(phases.slice(0, 2)).toEqual(['source:start', 'source:done']);
    expect(phases.slice(-2)).toEqual(['cleanup:start', 'cleanup:done']);
  });
});
