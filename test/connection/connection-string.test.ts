import { InvalidInputError } from '../../src';
import { parseConnectionString } from '../../src/connection/connection-string';
import { parseConninfo } from '../../src/connection/conninfo';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('parseConninfo (libpq keyword/value strings)', () => {
  test('blanks around =, single quotes, backslash escapes in and out of quotes, empty values', () => {
    expect(parseConninfo("host = db  port=5433 dbname='tenant a' password='it\\'s \\\\ here' user=o\\ k application_name=''")).toEqual({
      host: 'db', port: '5433', dbname: 'tenant a', password: "it's \\ here", user: 'o k', application_name: '',
    });
    expect(parseConninfo('  ')).toEqual({});
  });

  test.each([
    ['host=db dbname', /^missing "=" after "dbname" in --target; write keyword=value pairs/],
    ["host=db password='s3cret", /^unterminated quoted value of "password" in --target;/],
    ['host=db colour=blue', /^invalid connection option "colour" in --target;/],
  ])('%s is refused with one line that never shows a value', (text, message) => {
    const err = errorOf(() => parseConninfo(text, '--target'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/s3cret|\n/);
  });
});

describe('parseConnectionString', () => {
  test('URLs: user, password, host, port and database through pg-connection-string, query keywords as libpq keywords', () => {
    expect(parseConnectionString('postgresql://app:p%40ss@db.internal:5433/tenant_a?sslmode=require&application_name=x')).toEqual({
      user: 'app', password: 'p@ss', host: 'db.internal', port: '5433', dbname: 'tenant_a', sslmode: 'require', application_name: 'x',
    });
    expect(parseConnectionString('postgres://db/tenant_a?ssl=true')).toEqual({ host: 'db', dbname: 'tenant_a', sslmode: 'require' });
  });

  test('Unix-socket hosts: ?host=/dir with an empty host, and a percent-encoded host', () => {
    expect(parseConnectionString('postgres://u@/db?host=/run/postgresql')).toEqual({ user: 'u', host: '/run/postgresql', dbname: 'db' });
    expect(parseConnectionString('postgres://u@%2Frun%2Fpostgresql:5433/db')).toEqual({ user: 'u', host: '/run/postgresql', port: '5433', dbname: 'db' });
    expect(parseConnectionString('host=/run/postgresql dbname=db')).toEqual({ host: '/run/postgresql', dbname: 'db' });
  });

  test('an empty string names nothing (all from the service, the environment and the defaults)', () => {
    expect(parseConnectionString('')).toEqual({});
  });

  test.each([
    ['mysql://root@db/shop', /^--target must be a postgres:\/\/ or postgresql:\/\/ URL \(got a mysql:\/\/ URL\) or a keyword\/value string/],
    ['db.internal/tenant_a', /^--target must be a postgres:\/\/ or postgresql:\/\/ URL or a keyword\/value string/],
    ['postgres://app:pa/ss@db/tenant_a', /^--target is not a valid postgres:\/\/ URL: characters such as/],
    ['postgres://db/tenant_a?colour=blue', /^invalid URI query parameter "colour" in --target/],
    ['postgres://a,b/tenant_a', /^several hosts in --target are not supported/],
  ])('%s is refused in one line', (text, message) => {
    const err = errorOf(() => parseConnectionString(text, '--target'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/pa\/ss|\n/);
  });
});
