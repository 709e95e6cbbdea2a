import { SchemaRestoreError } from '../../src';
import { chooseSecretVersions, SecretVersion } from '../../src/aws';

const T = new Date('2024-01-28T14:30:00Z');
const v = (versionId: string, created: string, stages: string[] = []): SecretVersion => ({ versionId, createdDate: new Date(created), stages });
const ids = (versions: SecretVersion[]): string[] => versions.map((x) => x.versionId);

function failure(fn: () => unknown): SchemaRestoreError {
  try {
    fn();
  } catch (err) {
    return err as SchemaRestoreError;
  }
  throw new Error('expected a failure');
}

describe('chooseSecretVersions', () => {
  test('the newest version created on or before T comes first, older ones follow, newer ones never', () => {
    const versions = [
      v('after', '2024-02-01T00:00:00Z', ['AWSCURRENT']),
      v('rotated-before', '2024-01-28T10:00:00Z', ['AWSPREVIOUS']),
      v('deprecated', '2024-01-01T00:00:00Z'),
      v('custom', '2023-12-01T00:00:00Z', ['ORIGINAL']),
    ];
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: T }))).toEqual(['rotated-before', 'deprecated', 'custom']);
  });

  test('a version created exactly at T is a candidate', () => {
    const versions = [v('at', T.toISOString(), ['AWSCURRENT']), v('before', '2024-01-01T00:00:00Z')];
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: T }))[0]).toBe('at');
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: new Date(T.getTime() - 1) }))).toEqual(['before']);
  });

  test('an unfinished rotation (only AWSPENDING) is skipped, a promoted one (AWSCURRENT + AWSPENDING) is not', () => {
    const versions = [
      v('pending', '2024-01-28T14:00:00Z', ['AWSPENDING']),
      v('promoted', '2024-01-20T00:00:00Z', ['AWSCURRENT', 'AWSPENDING']),
      v('older', '2024-01-01T00:00:00Z', ['AWSPREVIOUS']),
    ];
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: T }))).toEqual(['promoted', 'older']);
  });

  test('deprecated versions (no labels) are candidates: they were current once', () => {
    const versions = [v('d2', '2024-01-10T00:00:00Z'), v('d1', '2024-01-05T00:00:00Z'), v('now', '2024-03-01T00:00:00Z', ['AWSCURRENT'])];
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: T }))).toEqual(['d2', 'd1']);
  });

  test('versions created at the same instant: the one labelled current now first', () => {
    const same = '2024-01-28T00:00:00Z';
    const versions = [v('none', same), v('prev', same, ['AWSPREVIOUS']), v('cur', same, ['AWSCURRENT'])];
    expect(ids(chooseSecretVersions({ secretId: 's', versions, at: T }))).toEqual(['cur', 'prev', 'none']);
  });

  test('no version on or before T: SECRET_TOO_NEW naming T and the oldest version', () => {
    const err = failure(() => chooseSecretVersions({ secretId: 'prod/db', versions: [v('a', '2024-02-01T00:00:00Z', ['AWSCURRENT']), v('b', '2024-03-01T00:00:00Z')], at: T }));
    expect(err.code).toBe('SECRET_TOO_NEW');
    expect(err.message).toBe('secret "prod/db" has no version created on or before 2024-01-28T14:30:00.000Z (oldest is from 2024-02-01T00:00:00.000Z); ' +
      'restore to a later time, or pass credentials that were valid then');
  });

  test('only an unfinished rotation before T, or no versions at all: SECRET_TOO_NEW saying so', () => {
    const pendingOnly = failure(() => chooseSecretVersions({ secretId: 's', versions: [v('p', '2024-01-01T00:00:00Z', ['AWSPENDING'])], at: T }));
    expect(pendingOnly.code).toBe('SECRET_TOO_NEW');
    expect(pendingOnly.message).toContain('no version other than unfinished rotations (AWSPENDING) created on or before');
    const none = failure(() => chooseSecretVersions({ secretId: 's', versions: [], at: T }));
    expect(none.code).toBe('SECRET_TOO_NEW');
    expect(none.message).toContain('has no versions');
  });
});
