import { startRequestHandler } from '../../src/handlers/start-request.lambda';
import { fakeAuditTable } from '../support/dynamodb';

const NOW = new Date('2024-01-28T15:00:00Z');

describe('start-request handler', () => {
  test('writes the RUNNING audit record and returns the checked request', async () => {
    const table = fakeAuditTable();
    const handler = startRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName }, now: () => NOW });
    const input = { database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00Z' };
    await expect(handler({ restoreId: 'r-1', input })).resolves.toEqual({
      restoreId: 'r-1', request: { database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'rds' },
    });
    expect(table.items.get('r-1')).toEqual({ restoreId: 'r-1', status: 'RUNNING', input: JSON.stringify(input), source: 'rds', startedAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
  });

  test('"source": "backup" on a deployment with backups: the audit record says so', async () => {
    const table = fakeAuditTable();
    const handler = startRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName, BACKUPS_AVAILABLE: 'true' }, now: () => NOW });
    const input = { database: 'tenants', schemas: ['customer_a1'], source: 'backup' };
    await expect(handler({ restoreId: 'r-4', input })).resolves.toEqual({
      restoreId: 'r-4', request: { database: 'tenants', schemas: ['customer_a1'], engine: 'copy', source: 'backup' },
    });
    expect(table.items.get('r-4')).toMatchObject({ status: 'RUNNING', source: 'backup', input: JSON.stringify(input) });
  });

  test('"source": "backup" on a deployment without backups is audited, then refused', async () => {
    const table = fakeAuditTable();
    const handler = startRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName } });
    await expect(handler({ restoreId: 'r-5', input: { database: 'tenants', schemas: ['a'], source: 'backup' } }))
      .rejects.toThrow('"source": "backup" needs a SchemaRestore deployed with backups');
    expect(table.items.get('r-5')).toMatchObject({ status: 'RUNNING' });
    expect(table.items.get('r-5')).not.toHaveProperty('source');
  });

  test('bad input is audited first, then fails before anything is created', async () => {
    const table = fakeAuditTable();
    const handler = startRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName, DMS_AVAILABLE: 'false' } });
    await expect(handler({ restoreId: 'r-2', input: { database: 'tenants', schemas: ['a'], restoreTime: '2024-01-28T14:30:00Z', engine: 'dms' } }))
      .rejects.toThrow('"engine": "dms" needs a SchemaRestore deployed with copyEngine DMS');
    expect(table.items.get('r-2')?.status).toBe('RUNNING');
  });

  test('a deployment without the table name says so', async () => {
    await expect(startRequestHandler({ env: {} })({ restoreId: 'r-3', input: {} })).rejects.toThrow('AUDIT_TABLE_NAME is not set');
  });
});
