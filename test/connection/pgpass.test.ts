import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordFromPgpass } from '../../src/connection/pgpass';

describe('passwordFromPgpass', () => {
  let dir: string;
  let passfile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-pgpass-'));
    passfile = join(dir, 'pgpass');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const key = { host: 'db', port: '5432', dbname: 'tenant_a', user: 'app' };

  test('first matching line wins; * matches anything; \\: and \\\\ are escapes; comments are skipped', () => {
    writeFileSync(passfile, '# comment\nother:*:*:app:no\ndb:5432:tenant_b:app:no\ndb:*:*:app:pa\\:ss\\\\1\n*:*:*:*:fallback\n', { mode: 0o600 });
    expect(passwordFromPgpass(key, { passfile })).toBe('pa:ss\\1');
    expect(passwordFromPgpass({ ...key, user: 'someone' }, { passfile })).toBe('fallback');
  });

  test('a default socket directory also matches localhost; another socket directory only itself', () => {
    writeFileSync(passfile, 'localhost:5432:*:app:local\n/srv/sock:5432:*:app:srv\n', { mode: 0o600 });
    expect(passwordFromPgpass({ ...key, host: '/var/run/postgresql' }, { passfile, defaultSocketDirs: ['/var/run/postgresql'] })).toBe('local');
    expect(passwordFromPgpass({ ...key, host: '/srv/sock' }, { passfile, defaultSocketDirs: ['/var/run/postgresql'] })).toBe('srv');
    expect(passwordFromPgpass({ ...key, host: '/other' }, { passfile, defaultSocketDirs: ['/var/run/postgresql'] })).toBeUndefined();
  });

  test('a file the group or others can read is ignored with libpq\'s warning; a missing file or a directory is no password', () => {
    writeFileSync(passfile, '*:*:*:*:leaked\n');
    chmodSync(passfile, 0o644);
    const warnings: string[] = [];
    expect(passwordFromPgpass(key, { passfile, warn: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toEqual([`password file "${passfile}" has group or world access; permissions should be u=rw (0600) or less`]);
    expect(passwordFromPgpass(key, { passfile: join(dir, 'absent') })).toBeUndefined();
    expect(passwordFromPgpass(key, { passfile: dir, warn: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
