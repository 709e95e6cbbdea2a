import { resolveConnection } from '../../src/connection/resolve-connection';
import { sslAttempts } from '../../src/connection/ssl-config';

const files: Record<string, string> = { '/certs/root.crt': 'ROOT', '/certs/client.crt': 'CERT', '/certs/client.key': 'KEY' };
const readFile = (path: string): string => {
  if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return files[path];
};
const options = { readFile, defaultRootCert: '/nonexistent/root.crt' };
const env = { PGPASSFILE: '/nonexistent/pgpass' };
const attempts = (conn: string) => sslAttempts(resolveConnection(conn, { env }), options);

describe('sslAttempts: pg ssl settings with libpq\'s sslmode meaning', () => {
  test('disable, allow, prefer (the default for strings), require without verification', () => {
    expect(attempts('host=db sslmode=disable')).toEqual([false]);
    expect(attempts('host=db sslmode=allow')).toEqual([false, { rejectUnauthorized: false }]);
    expect(attempts('host=db')).toEqual([{ rejectUnauthorized: false }, false]);
    expect(attempts('postgres://db/x?sslmode=prefer')).toEqual([{ rejectUnauthorized: false }, false]);
    expect(attempts('host=db sslmode=require')).toEqual([{ rejectUnauthorized: false }]);
  });

  test('verify-ca checks the CA only; verify-full also the host name (pg sets servername); require with a root certificate is verify-ca', () => {
    const [ca] = attempts('host=db sslmode=verify-ca sslrootcert=/certs/root.crt') as Array<{ ca: string; checkServerIdentity: () => unknown }>;
    expect(ca).toEqual({ ca: 'ROOT', checkServerIdentity: expect.any(Function) });
    expect(ca.checkServerIdentity()).toBeUndefined();
    expect(attempts('host=db sslmode=verify-full sslrootcert=/certs/root.crt sslcert=/certs/client.crt sslkey=/certs/client.key'))
      .toEqual([{ ca: 'ROOT', cert: 'CERT', key: 'KEY' }]);
    expect(attempts('host=db sslmode=require sslrootcert=/certs/root.crt')).toEqual([{ ca: 'ROOT', checkServerIdentity: expect.any(Function) }]);
    expect(attempts('host=db sslmode=verify-full sslrootcert=system')).toEqual([{}]);
  });

  test('PGSSLMODE and PGSSLROOTCERT fill what the string leaves out; Unix sockets never use TLS; a pg config keeps its own ssl', () => {
    expect(sslAttempts(resolveConnection('host=db', { env: { ...env, PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/certs/root.crt' } }), options)).toEqual([{ ca: 'ROOT' }]);
    expect(attempts('host=/run/postgresql sslmode=require')).toEqual([false]);
    expect(sslAttempts(resolveConnection({ host: 'db', ssl: { rejectUnauthorized: false } }, { env }), options)).toEqual([{ rejectUnauthorized: false }]);
    expect(sslAttempts(resolveConnection({ host: 'db' }, { env }), options)).toEqual([false]);
  });

  test('an unreadable sslrootcert is a one-line input error naming the file', () => {
    expect(() => attempts('host=db sslmode=verify-full sslrootcert=/certs/missing.crt')).toThrow(/^cannot read sslrootcert "\/certs\/missing.crt": ENOENT$/);
  });
});
