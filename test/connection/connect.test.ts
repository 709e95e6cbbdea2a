import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ConnectionError, InvalidInputError } from '../../src';
import { connect, ConnectOptions, libpqEnv } from '../../src/connection';
import { execSql, useLocalCluster } from '../support/postgres';

const PASSWORD = 'c0nn-Pass';
const cluster = useLocalCluster({ password: PASSWORD });
const root = join(__dirname, '..', '..');

/** Run `fn` with these environment variables set, and put process.env back afterwards. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** Connect, run one query, close; the first row. */
async function queryOnce(conn: string, sql: string, options?: ConnectOptions): Promise<Record<string, unknown>> {
  const client: Client = await connect(conn, 'source', 'pg-schema-restore test', options);
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('connect like libpq, against a real server', () => {
  let dir: string;
  const tcp = (): string => `host=127.0.0.1 port=${cluster().port} sslmode=disable`;

  beforeAll(async () => {
    await execSql(cluster().url(), 'CREATE DATABASE "tenant a"');
    await execSql(cluster().url(), 'CREATE ROLE pw_user LOGIN PASSWORD \'Pw-user1\'; CREATE ROLE prompt_user LOGIN PASSWORD \'Pr0mpt-it\'');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-connect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a keyword/value string with quoted values reaches the database it names', async () => {
    const row = await queryOnce(`${tcp()} user=${cluster().user} password='${PASSWORD}' dbname='tenant a'`, 'SELECT current_database() AS db');
    expect(row.db).toBe('tenant a');
  });

  test('a service from PGSERVICEFILE: the string\'s keywords win over the service\'s, which win over PG* variables; an unknown service is one line', async () => {
    const file = join(dir, 'services.conf');
    writeFileSync(file, `[live]\nhost=127.0.0.1\nport=${cluster().port}\nuser=${cluster().user}\npassword=${PASSWORD}\ndbname=postgres\nsslmode=disable\n`);
    await withEnv({ PGSERVICEFILE: file, PGSYSCONFDIR: dir, PGDATABASE: 'nonexistent', PGPORT: '1' }, async () => {
      expect((await queryOnce('service=live', 'SELECT current_database() AS db')).db).toBe('postgres');
      expect((await queryOnce("service=live dbname='tenant a'", 'SELECT current_database() AS db')).db).toBe('tenant a');
      expect(libpqEnv('service=live')).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: String(cluster().port), PGDATABASE: 'postgres', PGPASSWORD: PASSWORD });
      await withEnv({ PGSERVICE: 'live' }, async () => {
        expect((await queryOnce('', 'SELECT current_database() AS db')).db).toBe('postgres');
      });
      const err = await rejection(connect('service=nope', 'target'));
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(`definition of service "nope" not found in ${file} or ${join(dir, 'pg_service.conf')}; define it there (or set PGSERVICEFILE to the file that has it)`);
    });
  });

  test('a Unix-socket host: host=<dir>, ?host=<dir> and a percent-encoded URL host', async () => {
    const { socketDir, port, user } = cluster();
    for (const conn of [`host=${socketDir} port=${port} user=${user} dbname=postgres`,
      `postgres://${user}@/postgres?host=${socketDir}&port=${port}`,
      `postgres://${user}@${encodeURIComponent(socketDir)}:${port}/postgres`]) {
      const row = await queryOnce(conn, 'SELECT inet_server_addr() AS addr, current_user AS who');
      expect(row).toEqual({ addr: null, who: user });
    }
  });

  test('PG* variables fill what the string leaves out', async () => {
    const { port, user } = cluster();
    await withEnv({ PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user, PGPASSWORD: PASSWORD, PGDATABASE: 'tenant a', PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '5' }, async () => {
      expect((await queryOnce('', 'SELECT current_database() AS db')).db).toBe('tenant a');
      expect((await queryOnce('dbname=postgres', 'SELECT current_database() AS db')).db).toBe('postgres');
      expect((await queryOnce(`postgres://${user}@127.0.0.1/postgres`, 'SELECT current_database() AS db')).db).toBe('postgres');
    });
  });

  test('sslmode=prefer falls back to plain text on a server without TLS; sslmode=require refuses it', async () => {
    const base = `host=127.0.0.1 port=${cluster().port} user=${cluster().user} password=${PASSWORD} dbname=postgres`;
    expect((await queryOnce(`${base} sslmode=prefer`, 'SELECT 1 AS one')).one).toBe(1);
    const err = await rejection(connect(`${base} sslmode=require`, 'target'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^cannot connect to the target database host=127\.0\.0\.1 .*password=\*\*\* .*: The server does not support SSL connections;/);
    expect(err.message).not.toContain(PASSWORD);
  });

  test('~/.pgpass (PGPASSFILE) at 0600 logs in with nothing on stderr; at 0644 it is ignored with libpq\'s warning', () => {
    const file = join(dir, 'pgpass');
    const script = `require(${JSON.stringify(join(root, 'src', 'connection'))}).connect(process.env.CONN, 'source')
      .then(async (c) => { console.log((await c.query('SELECT current_user AS u')).rows[0].u); await c.end(); })
      .catch((e) => { console.log('ERROR ' + e.message); process.exitCode = 1; });`;
    const run = (mode: number) => {
      writeFileSync(file, `127.0.0.1:${cluster().port}:*:pw_user:Pw-user1\n`, { mode });
      return spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', PGPASSFILE: file, CONN: `${tcp()} user=pw_user dbname=postgres` },
      });
    };
    const ok = run(0o600);
    expect({ stdout: ok.stdout, stderr: ok.stderr }).toEqual({ stdout: 'pw_user\n', stderr: '' });
    rmSync(file);
    const open = run(0o644);
    expect(open.stderr).toBe(`WARNING: password file "${file}" has group or world access; permissions should be u=rw (0600) or less\n`);
    expect(open.stdout).toMatch(/^ERROR no password supplied for user pw_user at host 127\.0\.0\.1/);
  });

  test('no password and no prompt: one line naming the user and host and where to put the password', async () => {
    const err = await rejection(connect(`${tcp()} user=pw_user dbname=postgres`, 'target', undefined, { prompt: null, env: { PGPASSFILE: join(dir, 'absent') } }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`no password supplied for user pw_user at host 127.0.0.1 port ${cluster().port} (the target database postgres); ` +
      'put it in ~/.pgpass, a service file or PGPASSWORD');
  });

  test('the prompt asks when the server wants a password, the login is made again with it, and later sessions and tools reuse it', async () => {
    const conn = `${tcp()} user=prompt_user dbname=postgres`;
    const env = { PGPASSFILE: join(dir, 'absent') };
    const wrong = await rejection(connect(conn, 'target', undefined, { env, prompt: async () => 'wrong' }));
    expect(wrong.message).toMatch(/password authentication failed for user "prompt_user"/);
    const questions: string[] = [];
    const client = await connect(conn, 'target', undefined, { env, prompt: async (q) => (questions.push(q), 'Pr0mpt-it') });
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('prompt_user');
    await client.end();
    expect(questions).toEqual(['Password for user prompt_user: ']);
    const again = await connect(conn, 'target', undefined, { env, prompt: async () => { throw new Error('asked twice'); } });
    await again.end();
    expect(libpqEnv(conn, { env }).PGPASSWORD).toBe('Pr0mpt-it');
  });
});
