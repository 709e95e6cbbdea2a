import { DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import { cleanupHandler } from '../../src/handlers/cleanup.lambda';
import { fakeAuditTable } from '../support/dynamodb';
import { fakeRds } from '../support/rds';

function tableWithLedger(entries: Array<{ kind: string; id: string }>) {
  const table = fakeAuditTable();
  table.items.set('r-1', { restoreId: 'r-1', resources: JSON.stringify(entries.map((e) => ({ ...e, restoreId: 'r-1', createdAt: '2024-01-28T15:00:00Z' }))) });
  return table;
}

describe('cleanup handler', () => {
  test('deletes what the ledger in the audit record lists and strikes it', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-r-1', DBInstanceStatus: 'available' }] });
    const table = tableWithLedger([{ kind: 'rds-instance', id: 'pgsr-r-1' }]);
    const result = await cleanupHandler({ rds: rds.client, dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName }, onProgress: () => undefined })({ restoreId: 'r-1' });
    expect(result).toEqual({ deleted: ['rds-instance pgsr-r-1'], leftovers: [] });
    expect(rds.deleted).toEqual(['pgsr-r-1']);
    expect(JSON.parse(table.items.get('r-1')!.resources as string)).toEqual([]);
  });

  test('returns what it could not delete instead of failing, so that the final status is still written', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-r-1', DBInstanceStatus: 'available' }] });
    rds.mock.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const table = tableWithLedger([{ kind: 'rds-instance', id: 'pgsr-r-1' }]);
    const result = await cleanupHandler({ rds: rds.client, dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName }, onProgress: () => undefined })({ restoreId: 'r-1' });
    expect(result).toEqual({ deleted: [], leftovers: ['rds-instance pgsr-r-1: AccessDenied: not authorized'] });
  });

  test('a restore that created nothing has nothing to clean', async () => {
    const table = fakeAuditTable();
    await expect(cleanupHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName }, onProgress: () => undefined })({ restoreId: 'r-9' })).resolves.toEqual({ deleted: [], leftovers: [] });
  });
});
