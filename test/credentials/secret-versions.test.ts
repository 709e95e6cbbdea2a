import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { SchemaRestoreError } from '../../src';
import { listSecretVersions, parseRdsSecret, readSecretVersion } from '../../src/aws';
import { accessDenied, errorTexts, mockSecretVersions } from '../support/secrets-manager';

const SECRET = 'prod/tenant-db';
const ROTATIONS = [
  { id: 'v5-current', created: '2024-02-01T00:00:00Z', stages: ['AWSCURRENT'] },
  { id: 'v4-previous', created: '2024-01-15T00:00:00Z', stages: ['AWSPREVIOUS'] },
  { id: 'v3-deprecated', created: '2024-01-01T00:00:00Z', stages: [] },
  { id: 'v2-deprecated', created: '2023-12-01T00:00:00Z', stages: [] },
  { id: 'v1-original', created: '2023-11-01T00:00:00Z', stages: ['ORIGINAL'] },
];

async function failure(promise: Promise<unknown>): Promise<SchemaRestoreError> {
  return promise.then(() => {
    throw new Error('expected a failure');
  }, (err) => err as SchemaRestoreError);
}

describe('listSecretVersions', () => {
  test('reads every page, deprecated versions included', async () => {
    const { client, listRequests } = mockSecretVersions(SECRET, ROTATIONS, 2);
    const versions = await listSecretVersions({ secretId: SECRET, client });
    expect(versions.map((v) => v.versionId)).toEqual(ROTATIONS.map((v) => v.id));
    expect(versions[2]).toEqual({ versionId: 'v3-deprecated', createdDate: new Date('2024-01-01T00:00:00Z'), stages: [] });
    expect(listRequests.map((r) => [r.IncludeDeprecated, r.NextToken])).toEqual([[true, undefined], [true, 'page-2'], [true, 'page-4']]);
  });

  test('a missing secret is SECRET_NOT_FOUND', async () => {
    const { client } = mockSecretVersions(SECRET, ROTATIONS);
    const err = await failure(listSecretVersions({ secretId: 'prod/nope', client }));
    expect(err.code).toBe('SECRET_NOT_FOUND');
    expect(err.message).toBe('secret "prod/nope" does not exist in this account and region; check the secret name or ARN and the AWS region');
  });

  test('access denied names the missing permission', async () => {
    const { mock, client } = mockSecretVersions(SECRET, ROTATIONS);
    mock.on(ListSecretVersionIdsCommand).rejects(accessDenied('secretsmanager:ListSecretVersionIds'));
    const err = await failure(listSecretVersions({ secretId: SECRET, client }));
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toBe(`access denied when trying to list the versions of secret "${SECRET}"; grant secretsmanager:ListSecretVersionIds to the role running pg-schema-restore`);
  });

  test('an aborted listing is AbortedError', async () => {
    const { client } = mockSecretVersions(SECRET, ROTATIONS, 1);
    const controller = new AbortController();
    controller.abort();
    expect((await failure(listSecretVersions({ secretId: SECRET, client, signal: controller.signal }))).code).toBe('ABORTED');
  });
});

describe('readSecretVersion', () => {
  test('returns the login of that version in RDS format', async () => {
    const { client } = mockSecretVersions(SECRET, [{ ...ROTATIONS[0], value: { engine: 'postgres', host: 'prod.abc.eu-west-1.rds.amazonaws.com', port: 5432, username: 'owner', password: 'pw-current-7Qx', dbname: 'tenant_a' } }]);
    expect(await readSecretVersion({ secretId: SECRET, versionId: 'v5-current', client })).toEqual(
      { engine: 'postgres', host: 'prod.abc.eu-west-1.rds.amazonaws.com', port: 5432, username: 'owner', password: 'pw-current-7Qx', dbname: 'tenant_a' });
  });

  test('access denied names GetSecretValue and kms:Decrypt', async () => {
    const { mock, client } = mockSecretVersions(SECRET, ROTATIONS);
    mock.on(GetSecretValueCommand).rejects(accessDenied('secretsmanager:GetSecretValue'));
    const err = await failure(readSecretVersion({ secretId: SECRET, versionId: 'v4-previous', client }));
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toContain('grant secretsmanager:GetSecretValue (and kms:Decrypt on the secret\'s KMS key)');
  });

  test('a version removed since the listing is SECRET_NOT_FOUND naming the version', async () => {
    const { client } = mockSecretVersions(SECRET, ROTATIONS);
    const err = await failure(readSecretVersion({ secretId: SECRET, versionId: 'gone', client }));
    expect(err.code).toBe('SECRET_NOT_FOUND');
    expect(err.message).toBe(`version gone of secret "${SECRET}" no longer exists; retry the restore, which lists the versions again`);
  });

  test.each([
    ['not JSON', 'hunter2-Plain-Password', 'is not JSON'],
    ['a JSON string', '"hunter2-Plain-Password"', 'is not a JSON object'],
    ['without password', '{"username":"owner","pass":"hunter2-Plain-Password"}', 'has no string "password"'],
    ['with a numeric password', '{"username":"owner","password":12345678}', 'has no string "password"'],
  ])('a malformed secret (%s) fails in one line without its value', async (_, value, problem) => {
    const { client } = mockSecretVersions(SECRET, [{ ...ROTATIONS[0], value }]);
    const err = await failure(readSecretVersion({ secretId: SECRET, versionId: 'v5-current', client }));
    expect(err.code).toBe('SECRET_MALFORMED');
    expect(err.message).toBe(`secret "${SECRET}" version v5-current ${problem}; store it as JSON in the RDS format { "username": …, "password": … }`);
    expect(errorTexts(err)).not.toMatch(/hunter2|12345678/);
  });
});

describe('parseRdsSecret', () => {
  test('keeps the known RDS fields, reads a string port, drops the rest', () => {
    expect(parseRdsSecret('{"username":"u","password":"p","port":"6432","dbInstanceIdentifier":"prod"}', 'x')).toEqual({ username: 'u', password: 'p', port: 6432 });
  });

  test('a binary secret is refused', () => {
    expect(() => parseRdsSecret(undefined, 'secret "s" version v')).toThrow('secret "s" version v has no SecretString (binary secrets are not supported)');
  });
});
