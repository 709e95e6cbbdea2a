import { existsSync } from 'node:fs';
import { ConnectionError } from '../src';
import { connect } from '../src/connection';
import { findPostgresBinaries, startLocalCluster } from '../src/local';
import { withClient } from './support/postgres';

describe('startLocalCluster', () => {
  test('starts a real server on a loopback port and removes everything on stop', async () => {
    const pg = await startLocalCluster();
    try {
      const version = await withClient(pg.url(), async (c) => (await c.query('SHOW server_version_num')).rows[0].server_version_num);
      expect(Number(version)).toBeGreaterThanOrEqual(findPostgresBinaries().major * 10000);
      expect(pg.host).toBe('127.0.0.1');
    } finally {
      await pg.stop();
    }
    expect(existsSync(pg.dir)).toBe(false);
    await expect(connect(pg.url(), 'stopped')).rejects.toBeInstanceOf(ConnectionError);
    await pg.stop(); // idempotent
  });

  test('with a password, a wrong password is refused and the error never shows either password', async () => {
    const pg = await startLocalCluster({ password: 'Sup3r-secret!' });
    try {
      const wrong = pg.url().replace(encodeURIComponent('Sup3r-secret!'), 'Wr0ng-guess');
      const err = await connect(wrong, 'target').catch((e) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/password authentication failed/);
      expect(err.message).not.toMatch(/Wr0ng-guess|Sup3r-secret/);
      expect(String(err.cause?.stack)).not.toMatch(/Wr0ng-guess/);
      await withClient(pg.url(), async (c) => expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1));
    } finally {
      await pg.stop();
    }
  });

  test('finds binaries through PG_BIN and explains a wrong PG_BIN', () => {
    const found = findPostgresBinaries();
    expect(findPostgresBinaries({ env: { PG_BIN: found.bindir } }).bindir).toBe(found.bindir);
    expect(() => findPostgresBinaries({ env: { PG_BIN: '/nonexistent' } })).toThrow(/not found in \/nonexistent; point PG_BIN/);
  });

  test('exactMajor finds a server of that major version, or names the package to install', () => {
    const found = findPostgresBinaries();
    expect(findPostgresBinaries({ exactMajor: found.major }).bindir).toBe(found.bindir);
    // PG_BIN is tried first, not exclusively: it often points at the newest client programs.
    expect(findPostgresBinaries({ exactMajor: found.major, env: { ...process.env, PG_BIN: '/nonexistent' } }).major).toBe(found.major);
    expect(() => findPostgresBinaries({ exactMajor: 99 })).toThrow(/^PostgreSQL 99 programs \(.*\) are needed, found only \S+ in \S+; install postgresql-99 or point PG_BIN at its bin directory$/);
  });
});
