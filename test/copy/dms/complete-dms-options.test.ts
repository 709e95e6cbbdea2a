import { InvalidInputError } from '../../../src';
import { checkDmsEngineOptions, completeDmsOptions } from '../../../src/aws';

const given = { targetSecretArn: 'arn:target', secretsAccessRoleArn: 'arn:role', replicationSubnetGroupId: 'private' };

describe('completeDmsOptions', () => {
  test('the temporary RDS source\'s secret and the databases come from the restore; what is given wins', () => {
    expect(completeDmsOptions(given, { sourceSecretArn: 'arn:temporary', sourceDatabase: 'tenant_a', targetDatabase: 'tenant_a_live' }))
      .toEqual({ ...given, sourceSecretArn: 'arn:temporary', sourceDatabase: 'tenant_a', targetDatabase: 'tenant_a_live' });
    expect(completeDmsOptions({ ...given, sourceSecretArn: 'arn:mine', sourceDatabase: 'other' }, { sourceSecretArn: 'arn:temporary', sourceDatabase: 'tenant_a' }))
      .toMatchObject({ sourceSecretArn: 'arn:mine', sourceDatabase: 'other' });
    expect(completeDmsOptions(undefined, { sourceSecretArn: 'arn:temporary' })).toBeUndefined();
  });

  test('without a source secret (no rds: source with a secret), the check says where it comes from', () => {
    const completed = completeDmsOptions(given, { sourceDatabase: 'tenant_a', targetDatabase: 'tenant_a' });
    expect(() => checkDmsEngineOptions(completed)).toThrow(InvalidInputError);
    expect(() => checkDmsEngineOptions(completed)).toThrow(/^the DMS engine needs dms\.sourceSecretArn; pass it \(sourceSecretArn comes by itself with an rds: source that has a secretId\)$/);
  });
});
