import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRestoreError } from '../../../src';
import { dumpDatabase, postgresOsUser } from '../../../src/local';
import { loadDumpArchive } from '../../../src/sources/dump/load-dump-archive';
import { openDumpArchive } from '../../../src/sources/dump/open-dump-archive';
import { restoreDumpArchive } from '../../../src/sources/dump/restore-dump-archive';
import { freshBaseDir, leftovers } from '../../support/dump-archives';
import { createDatabase, execSql, tableDigest, useLocalCluster, withClient } from '../../support/postgres';

const cluster = useLocalCluster();
let scratch: string;
let legitPlain: string;
let legitCustom: string;

const TRICKY_SQL = `
CREATE SCHEMA tricky;
CREATE TABLE tricky.notes (id int PRIMARY KEY, body text);
INSERT INTO tricky.notes VALUES (1, E'back\\\\slash \\\\! id'), (2, '\\.'), (3, E'two\\nlines \\\\o /tmp/x'), (4, 'it''s'), (5, E'\\\\.');
CREATE FUNCTION tricky.shout(t text) RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN RETURN upper(t) || ' \\! not a command'; END $fn$;
CREATE TABLE tricky.bulk AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 300000) g;`;

beforeAll(async () => {
  // World-writable: a command that did run, as root or as the server's OS user, could leave its file here.
  scratch = mkdtempSync(join(tmpdir(), 'pgsr-test-not-code-'));
  chmodSync(scratch, 0o777);
  const url = await createDatabase(cluster(), 'quirky');
  await execSql(url, TRICKY_SQL);
  legitPlain = join(scratch, 'quirky.sql');
  legitCustom = join(scratch, 'quirky.dump');
  await dumpDatabase(cluster(), 'quirky', legitPlain, 'plain');
  await dumpDatabase(cluster(), 'quirky', legitCustom, 'custom');
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A plain dump (pg_dump's banner and closing line) whose line 8 is `line`. */
function hostileDump(name: string, line: string): string {
  const path = join(scratch, name);
  writeFileSync(path, ['--', '-- PostgreSQL database dump', '--', '', 'SET standard_conforming_strings = on;',
    'CREATE SCHEMA evil;', 'CREATE TABLE evil.t (id int);', line, 'CREATE TABLE evil.after (id int);', '', '-- PostgreSQL database dump complete', ''].join('\n'));
  return path;
}

/** Command lines (and real uids) of every process seen while `fn` runs, polled from /proc. */
async function watchProcesses<T>(fn: () => Promise<T>): Promise<{ result: T; seen: Array<{ uid: number; args: string; ppid: number }> }> {
  const seen = new Map<string, { uid: number; args: string; ppid: number }>();
  const poll = (): void => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
        if (args) seen.set(`${pid} ${args}`, { uid, args, ppid });
      } catch {
        // the process ended meanwhile
      }
    }
  };
  const timer = setInterval(poll, 5);
  try {
    return { result: await fn(), seen: [...seen.values()] };
  } finally {
    clearInterval(timer);
  }
}

describe('a plain SQL archive is data, never code', () => {
  const sentinel = (name: string) => join(scratch, `pwned-${name}`);
  test.each([
    ['shell', (s: string) => `\\! touch ${s}`, 'psql meta-command \\!'],
    ['output', (s: string) => `\\o ${s}`, 'psql meta-command \\o'],
    ['client-copy', (s: string) => `\\copy evil.t to '${s}'`, 'psql meta-command \\copy'],
    ['program', (s: string) => `COPY evil.t TO PROGRAM 'touch ${s}';`, 'COPY … TO PROGRAM'],
    ['mid-line', (s: string) => `CREATE TABLE evil.u (id int); \\! touch ${s}`, 'psql meta-command \\!'],
    ['second-statement', (s: string) => `CREATE TABLE evil.v (id int); COPY evil.v TO PROGRAM 'touch ${s}';`, 'COPY … TO PROGRAM'],
  ])('%s: refused before anything is loaded, naming the line; nothing ran, nothing is left', async (name, line, what) => {
    const file = hostileDump(`${name}.sql`, line(sentinel(name)));
    const baseDir = freshBaseDir();
    const err = await restoreDumpArchive({ kind: 'dump', path: file }, { baseDir }).then(async (db) => {
      await db.cleanup();
      return new Error('the restore succeeded');
    }, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRestoreError);
    expect(err).toMatchObject({ code: 'ARCHIVE_NOT_DATA' });
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 8: ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not allowed in a pg_dump archive`));
    expect((err as Error).message).not.toContain('\n');
    expect(existsSync(sentinel(name))).toBe(false);
    expect(leftovers(baseDir)).toEqual([]);
  }, 60_000);

  test('the load itself checks every line before psql gets it: a file changed after inspection still runs nothing', async () => {
    const file = hostileDump('swapped.sql', `\\! touch ${sentinel('swapped')}`);
    const archive = await openDumpArchive(file);
    const url = await createDatabase(cluster(), 'swapped');
    const workDir = mkdtempSync(join(tmpdir(), 'pgsr-test-load-'));
    try {
      const err = await loadDumpArchive(archive, { binaries: cluster().binaries, database: url, workDir, runAs: cluster().osUser }).catch((e) => e);
      expect(err).toMatchObject({ code: 'ARCHIVE_NOT_DATA', message: expect.stringContaining(`${file} line 8: psql meta-command \\!`) });
    } finally {
      archive.location.close();
      rmSync(workDir, { recursive: true, force: true });
    }
    expect(existsSync(sentinel('swapped'))).toBe(false);
    expect(await withClient(url, async (c) => (await c.query("SELECT to_regclass('evil.after') AS t")).rows[0].t)).toBeNull();
  }, 60_000);

  test('a real plain dump with backslashes in strings, a dollar-quoted body and COPY data loads, psql never as root, no password in argv', async () => {
    const baseDir = freshBaseDir();
    const { result: db, seen } = await watchProcesses(() => restoreDumpArchive({ kind: 'dump', path: legitPlain }, { baseDir }));
    try {
      const url = db.connection as string;
      const password = decodeURIComponent(new URL(url).password);
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      for (const table of ['notes', 'bulk']) {
        expect(await tableDigest(url, 'tricky', table)).toEqual(await tableDigest(cluster().url('quirky'), 'tricky', table));
      }
      expect(await withClient(url, async (c) => (await c.query("SELECT tricky.shout('a') AS s")).rows[0].s)).toBe('A \\! not a command');
      // This test's own psql (other test files run psql on the machine at the same time).
      const psql = seen.filter((p) => /\/psql /.test(p.args) && p.ppid === process.pid);
      expect(psql.length).toBeGreaterThan(0);
      expect(psql.map((p) => p.args)).toEqual(psql.map(() => expect.stringMatching(/-f -$/)));
      expect(psql.map((p) => p.uid)).toEqual(psql.map(() => postgresOsUser()?.uid ?? process.getuid!()));
      expect(seen.filter((p) => p.args.includes(password))).toEqual([]);
    } finally {
      await db.cleanup();
      expect(leftovers(baseDir)).toEqual([]);
    }
  }, 120_000);

  test('pg_restore gets the throwaway server through the environment, not argv', async () => {
    const { result: db, seen } = await watchProcesses(() => restoreDumpArchive({ kind: 'dump', path: legitCustom }, { schemas: ['tricky'] }));
    try {
      const password = decodeURIComponent(new URL(db.connection as string).password);
      // Other test files may run pg_restore meanwhile: only this archive's loads count.
      const restores = seen.filter((p) => /\/pg_restore /.test(p.args) && / -d /.test(p.args) && p.args.includes(legitCustom));
      expect(restores.length).toBeGreaterThan(0);
      expect(restores.map((p) => p.args)).toEqual(restores.map(() => expect.stringContaining("-d dbname='quirky'")));
      expect(seen.filter((p) => p.args.includes(password))).toEqual([]);
      expect(await tableDigest(db.connection as string, 'tricky', 'notes')).toEqual(await tableDigest(cluster().url('quirky'), 'tricky', 'notes'));
    } finally {
      await db.cleanup();
    }
  }, 120_000);
});
