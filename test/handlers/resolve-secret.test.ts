import { resolveHistoricalSecret } from '../../src/credentials/resolve-historical-secret';
import { resolveSecretHandler } from '../../src/handlers/resolve-secret.lambda';
import { fakeAuditTable } from '../support/dynamodb';

describe('resolve-secret handler', () => {
  test('verifies the login of the restore point against the temporary host and returns only the temporary secret\'s ARN', async () => {
    const table = fakeAuditTable();
    const resolve = jest.fn<ReturnType<typeof resolveHistoricalSecret>, Parameters<typeof resolveHistoricalSecret>>(async () => ({
      versionId: 'v1', credentials: { username: 'postgres', password: 'hunter2' }, temporarySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/abc',
    }));
    const handler = resolveSecretHandler({ dynamodb: table.client, resolve, env: { AUDIT_TABLE_NAME: table.tableName, SECRET_ARN: 'prod-secret', KMS_KEY_ARN: 'key-1' } });
    const result = await handler({ restoreId: 'r-1', restorePoint: '2024-01-28T14:30:00.000Z', address: 'pgsr-r-1.rds', port: 5432, database: 'tenants' });
    expect(result).toEqual({ secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/abc', versionId: 'v1' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(resolve.mock.calls[0][0]).toMatchObject({
      secretId: 'prod-secret', at: new Date('2024-01-28T14:30:00Z'), host: 'pgsr-r-1.rds', port: 5432, database: 'tenants', verify: true, kmsKeyId: 'key-1',
    });
    expect(resolve.mock.calls[0][0].ledger?.restoreId).toBe('r-1');
  });
});
