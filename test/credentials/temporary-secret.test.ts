import { CreateSecretCommand, DeleteSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SchemaRestoreError } from '../../src';
import { createTemporarySecret, deleteTemporarySecret, Ledger, memoryLedgerStore } from '../../src/aws';
import { accessDenied, errorTexts } from '../support/secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore/0a1b2c3d4e5f6a7b-XyZ123';
const NOW = new Date('2024-01-28T15:00:00Z');
const credentials = { username: 'owner', password: 'pw-temp-3Kd' };

function fakeSecretsManager() {
  const mock = mockClient(SecretsManagerClient);
  mock.on(CreateSecretCommand).resolves({ ARN, Name: 'pg-schema-restore/0a1b2c3d4e5f6a7b', VersionId: 'v1' });
  return { mock, client: new SecretsManagerClient({ region: 'eu-west-1' }) };
}

describe('createTemporarySecret', () => {
  test('stores the login in RDS format, tagged, encrypted with the KMS key, and records it in the ledger', async () => {
    const { mock, client } = fakeSecretsManager();
    const store = memoryLedgerStore();
    const ledger = new Ledger(store, 'r-123', () => NOW);
    const arn = await createTemporarySecret({
      host: 'pgsr-r-123.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'tenant_a',
      credentials,
      client,
      ledger,
      kmsKeyId: 'alias/restore',
      now: () => NOW,
    });
    expect(arn).toBe(ARN);
    const input = mock.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(input.Name).toMatch(/^pg-schema-restore\/[0-9a-f]{16}$/);
    expect(input.KmsKeyId).toBe('alias/restore');
    expect(input.Tags).toEqual([
      { Key: 'pg-schema-restore:restore-id', Value: 'r-123' },
      { Key: 'pg-schema-restore:expires-at', Value: '2024-01-28T21:00:00.000Z' },
    ]);
    expect(JSON.parse(input.SecretString as string)).toEqual(
      { engine: 'postgres', host: 'pgsr-r-123.abc.eu-west-1.rds.amazonaws.com', port: 5432, username: 'owner', password: 'pw-temp-3Kd', dbname: 'tenant_a' });
    expect(input.Description).not.toContain('pw-temp-3Kd');
    expect(store.entries).toEqual([{ kind: 'secret', id: ARN, restoreId: 'r-123', createdAt: NOW.toISOString() }]);
  });

  test('an explicit restore id and lifetime win; no KMS key leaves the default key', async () => {
    const { mock, client } = fakeSecretsManager();
    await createTemporarySecret({ host: 'h', port: 5432, database: 'd', credentials, client, restoreId: 'r-9', ttlHours: 1, now: () => NOW });
    const input = mock.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(input.KmsKeyId).toBeUndefined();
    expect(input.Tags).toEqual([{ Key: 'pg-schema-restore:restore-id', Value: 'r-9' }, { Key: 'pg-schema-restore:expires-at', Value: '2024-01-28T16:00:00.000Z' }]);
  });

  test('a refused CreateSecret names the permissions and never the password', async () => {
    const { mock, client } = fakeSecretsManager();
    mock.on(CreateSecretCommand).rejects(accessDenied('secretsmanager:CreateSecret'));
    const err = await createTemporarySecret({ host: 'h', port: 5432, database: 'd', credentials, client, kmsKeyId: 'alias/k' }).then(() => undefined, (e: unknown) => e as SchemaRestoreError);
    expect(err?.code).toBe('ACCESS_DENIED');
    expect(err?.message).toMatch(/^access denied when trying to create the temporary secret "pg-schema-restore\/[0-9a-f]+"; grant secretsmanager:CreateSecret and secretsmanager:TagResource \(and kms:GenerateDataKey on the KMS key\)/);
    expect(errorTexts(err)).not.toContain('pw-temp-3Kd');
  });

  test('a secret the ledger cannot record is deleted again', async () => {
    const { mock, client } = fakeSecretsManager();
    mock.on(DeleteSecretCommand).resolves({});
    const ledger = new Ledger({ load: async () => [], save: async () => { throw new Error('disk full'); } }, 'r-1');
    await expect(createTemporarySecret({ host: 'h', port: 5432, database: 'd', credentials, client, ledger })).rejects.toThrow('disk full');
    expect(mock.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: ARN, ForceDeleteWithoutRecovery: true });
  });
});

describe('deleteTemporarySecret', () => {
  test('force-deletes without recovery and strikes the ledger entry', async () => {
    const { mock, client } = fakeSecretsManager();
    mock.on(DeleteSecretCommand).resolves({ ARN, Name: 'n', DeletionDate: NOW });
    const store = memoryLedgerStore([{ kind: 'secret', id: ARN, restoreId: 'r-1', createdAt: NOW.toISOString() }]);
    await deleteTemporarySecret({ arn: ARN, clients: { secretsManager: client }, ledger: new Ledger(store, 'r-1') });
    expect(mock.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: ARN, ForceDeleteWithoutRecovery: true });
    expect(store.entries).toEqual([]);
  });

  test('is idempotent: a secret already gone counts as deleted', async () => {
    const { mock, client } = fakeSecretsManager();
    mock.on(DeleteSecretCommand).rejects(new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} }));
    await deleteTemporarySecret({ arn: ARN, clients: { secretsManager: client } });
    await deleteTemporarySecret({ arn: ARN, clients: { secretsManager: client } });
    expect(mock.commandCalls(DeleteSecretCommand)).toHaveLength(2);
  });

  test('other failures name the permission', async () => {
    const { mock, client } = fakeSecretsManager();
    mock.on(DeleteSecretCommand).rejects(accessDenied('secretsmanager:DeleteSecret'));
    await expect(deleteTemporarySecret({ arn: ARN, clients: { secretsManager: client } })).rejects.toThrow(
      `access denied when trying to delete the temporary secret ${ARN}; grant secretsmanager:DeleteSecret to the role running pg-schema-restore`);
  });
});
