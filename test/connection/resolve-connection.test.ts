import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src';
import { libpqEnv } from '../../src/connection/libpq-env';
import { resolveConnection } from '../../src/connection/resolve-connection';

describe('resolveConnection: libpq precedence', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-resolve-'));
    writeFileSync(join(dir, 'services.conf'), '[live]\nhost=svc-host\nport=6000\ndbname=svc_db\nuser=svc_user\nsslmode=verify-full\n');
    env = { PGSERVICEFILE: join(dir, 'services.conf'), PGSYSCONFDIR: dir, PGPASSFILE: join(dir, 'absent') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('explicit keywords win over the service\'s, which win over PG* variables, which win over the defaults', () => {
    const { params } = resolveConnection('service=live dbname=mine', { env: { ...env, PGHOST: 'env-host', PGDATABASE: 'env_db', PGCONNECT_TIMEOUT: '7' } });
    expect(params).toEqual(expect.objectContaining({ host: 'svc-host', port: '6000', dbname: 'mine', user: 'svc_user', sslmode: 'verify-full', connect_timeout: '7' }));
    expect(params).not.toHaveProperty('service');
    const viaEnv = resolveConnection('', { env: { ...env, PGSERVICE: 'live', PGPORT: '7000' } }).params;
    expect(viaEnv).toEqual(expect.objectContaining({ host: 'svc-host', port: '6000', dbname: 'svc_db' }));
  });

  test('defaults: a socket directory where a server listens (else localhost), 5432, the OS user, a database named after the user, sslmode prefer', () => {
    const none = resolveConnection('', { env, socketExists: () => false }).params;
    expect(none).toEqual(expect.objectContaining({ host: 'localhost', port: '5432', user: userInfo().username, dbname: userInfo().username, sslmode: 'prefer' }));
    const socket = resolveConnection('port=5433', { env, socketExists: (p) => p === '/var/run/postgresql/.s.PGSQL.5433' }).params;
    expect(socket.host).toBe('/var/run/postgresql');
  });

  test('the password: the connection\'s, else PGPASSWORD, else the password file; PGAPPNAME does not rename our sessions', () => {
    writeFileSync(join(dir, 'pgpass'), 'db:5432:*:app:from-file\n', { mode: 0o600 });
    const withFile = { ...env, PGPASSFILE: join(dir, 'pgpass'), PGAPPNAME: 'theirs' };
    expect(resolveConnection('host=db user=app password=given', { env: withFile })).toMatchObject({ params: { password: 'given' }, passwordFrom: 'connection' });
    expect(resolveConnection('host=db user=app', { env: { ...withFile, PGPASSWORD: 'env' } })).toMatchObject({ params: { password: 'env' }, passwordFrom: 'PGPASSWORD' });
    const fromFile = resolveConnection('host=db user=app', { env: withFile });
    expect(fromFile).toMatchObject({ params: { password: 'from-file' }, passwordFrom: 'pgpass' });
    expect(fromFile.params.application_name).toBeUndefined();
  });

  test('an unknown service, a bad port or sslmode are one-line input errors', () => {
    expect(() => resolveConnection('service=nope', { env })).toThrow(InvalidInputError);
    expect(() => resolveConnection('service=nope', { env })).toThrow(/^definition of service "nope" not found in .*services\.conf or .*pg_service\.conf;/);
    expect(() => resolveConnection('host=db port=54x', { env })).toThrow(/^invalid port "54x"/);
    expect(() => resolveConnection('host=db sslmode=maybe', { env })).toThrow(/^invalid sslmode "maybe"; use one of disable, allow, prefer, require, verify-ca, verify-full$/);
  });

  test('libpqEnv hands every resolved parameter to libpq tools as PG* variables, the password as PGPASSWORD', () => {
    expect(libpqEnv('service=live password=s3cret', { env })).toEqual({
      PGHOST: 'svc-host', PGPORT: '6000', PGDATABASE: 'svc_db', PGUSER: 'svc_user', PGPASSWORD: 's3cret', PGSSLMODE: 'verify-full', PGPASSFILE: join(dir, 'absent'),
    });
    expect(libpqEnv('postgres://u@/db?host=/run/postgresql', { env })).toMatchObject({ PGHOST: '/run/postgresql', PGUSER: 'u', PGDATABASE: 'db' });
    expect(libpqEnv({ host: 'db', user: 'u', ssl: { rejectUnauthorized: false } }, { env })).toMatchObject({ PGHOST: 'db', PGSSLMODE: 'require' });
    // An in-memory CA (the RDS bundle) cannot reach libpq: the tools still insist on TLS.
    expect(libpqEnv({ host: 'db', user: 'u', ssl: { ca: ['-----BEGIN CERTIFICATE-----'] } }, { env })).toMatchObject({ PGSSLMODE: 'require' });
    expect(libpqEnv({ host: 'db', user: 'u', ssl: false }, { env })).toMatchObject({ PGSSLMODE: 'disable' });
  });
});
