import { connectionPassword, describeConnection, scrubSecrets } from '../../src/connection/describe-connection';

describe('describeConnection and scrubSecrets mask passwords in both string forms', () => {
  test('URL: the password and a password= query parameter become ***', () => {
    expect(describeConnection('postgres://app:s3cret@db:5432/tenant_a')).toBe('postgres://app:***@db:5432/tenant_a');
    expect(describeConnection('postgres://app@/tenant_a?host=/run/postgresql&password=s3cret')).toBe('postgres://app@/tenant_a?host=%2Frun%2Fpostgresql&password=***');
  });

  test('conninfo: password=*** and the other keywords as written; a pg config as a URL without password', () => {
    expect(describeConnection("host=db dbname='tenant a' password='s3 cret'")).toBe("host=db dbname='tenant a' password=***");
    expect(describeConnection({ host: 'db', port: 5433, user: 'app', password: 's3cret', database: 'x' })).toBe('postgres://app@db:5433/x');
    expect(describeConnection('host=db password')).toBe('<unparseable connection string>');
  });

  test('scrubSecrets removes the password, plain and URL-encoded, whatever form carried it', () => {
    expect(scrubSecrets('failed for s3 cret', "host=db password='s3 cret'")).toBe('failed for ***');
    expect(scrubSecrets('a&b and a%26b', 'postgres://app:a%26b@db/x')).toBe('*** and ***');
    expect(connectionPassword('service=live')).toBeUndefined();
    expect(connectionPassword('customer_a1')).toBeUndefined();
  });
});
