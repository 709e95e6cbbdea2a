import { Readable } from 'node:stream';
import { SchemaRestoreError } from '../../../src';
import { loadSqlParser } from '../../../src/ddl/sql-tokens';
import { guardedPlainDump, psqlHasRestrict } from '../../../src/sources/dump/guarded-plain-dump';
import { PlainDumpGuard } from '../../../src/sources/dump/plain-dump-guard';

const HEAD = ['--', '-- PostgreSQL database dump', '--', '', 'SET standard_conforming_strings = on;', "SELECT pg_catalog.set_config('search_path', '', false);"];

/** Run the guard over lines; the error (if any) and what each line was. */
function guard(lines: string[]): { kinds: string[]; error?: SchemaRestoreError } {
  const g = new PlainDumpGuard('dump.sql');
  const kinds: string[] = [];
  try {
    for (const line of lines) kinds.push(g.line(Buffer.from(line, 'utf8')));
    g.end();
    return { kinds };
  } catch (err) {
    return { kinds, error: err as SchemaRestoreError };
  }
}

beforeAll(() => loadSqlParser());

describe('PlainDumpGuard', () => {
  test.each([
    ['\\! id', 7, 'psql meta-command \\!'],
    ['\\o /tmp/pwned', 7, 'psql meta-command \\o'],
    ["\\copy public.t to '/tmp/x'", 7, 'psql meta-command \\copy'],
    ['SET search_path = public; \\! id', 7, 'psql meta-command \\!'],
    ['CREATE TABLE a (id int); CREATE TABLE b (id int); \\! id', 7, 'psql meta-command \\!'],
    ["CREATE TABLE a (id int); COPY a TO PROGRAM 'id > /tmp/x';", 7, 'COPY … TO PROGRAM'],
    ["COPY a FROM PROGRAM 'id';", 7, 'COPY … FROM PROGRAM'],
    ["COPY a FROM '/etc/passwd';", 7, 'COPY … FROM a file'],
    ["COPY a TO '/tmp/out';", 7, 'COPY … TO a file'],
    ['DO $$BEGIN PERFORM 1; END$$;', 7, 'DO'],
    ['CALL p();', 7, 'CALL'],
    ["LOAD 'evil';", 7, 'LOAD'],
    ["ALTER SYSTEM SET archive_command = 'id';", 7, 'ALTER SYSTEM'],
    ["SELECT pg_read_file('/etc/shadow');", 7, 'SELECT (other than'],
    ["SELECT * FROM pg_catalog.pg_restore_relation_stats('x', pg_read_file('/etc/shadow'));", 7, 'SELECT (other than'],
    ["SELECT pg_catalog.setval('s', 1, true) FROM pg_class;", 7, 'SELECT (other than'],
    ['SELECT pg_catalog.setval((SELECT 1), 1, true);', 7, 'SELECT (other than'],
    ["SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);", 7, 'SELECT (other than'],
    ['SET standard_conforming_strings = off;', 7, 'SET standard_conforming_strings'],
    ["SET client_encoding = 'SJIS';", 7, 'SET client_encoding = SJIS'],
    ["CREATE ROLE evil LOGIN PASSWORD 'x';", 7, 'CREATE ROLE'],
    ['\\connect "host=evil.example dbname=x"', 7, 'psql meta-command \\connect with more than a database name'],
    ['\\connect x \\! id', 7, 'psql meta-command \\connect with more than a database name'],
  ])('%s is refused on its line', (bad, line, what) => {
    const { error } = guard([...HEAD, bad, 'CREATE TABLE z (id int);']);
    expect(error?.code).toBe('ARCHIVE_NOT_DATA');
    expect(error?.message).toContain(`dump.sql line ${line}: ${what}`);
    expect(error?.message).not.toContain('\n');
  });

  test('a statement over several lines is named by the line it starts on', () => {
    const { error } = guard([...HEAD, '', '-- a comment', 'CREATE TABLE a (id int); /* x */', '', 'COPY a', "  TO PROGRAM 'id';"]);
    expect(error?.message).toContain('dump.sql line 11: COPY … TO PROGRAM');
  });

  test('backslashes in strings, dollar quotes, comments and COPY data are data; pg_dump\'s own meta-commands pass', () => {
    const { kinds, error } = guard([
      '\\restrict abc123',
      ...HEAD,
      "CREATE TABLE t (id int, s text DEFAULT 'a\\! b', e text DEFAULT E'it\\'s \\\\! x');",
      'CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$',
      "BEGIN RETURN '\\! id'; -- \\o",
      'END $body$;',
      '/* \\! nested /* \\o */ still \\! comment */',
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
      'COPY public.t (id, s, e) FROM stdin;',
      '1\t\\! id\t\\N',
      '2\t\\o /tmp/x\tx',
      '\\.',
      "SELECT pg_catalog.setval('public.t_id_seq', 42, true);",
      "SELECT pg_catalog.lo_create('16390'); SELECT pg_catalog.lo_open('16390', 131072); SELECT pg_catalog.lowrite(0, '\\x6869'); SELECT pg_catalog.lo_close(0);",
      "SELECT * FROM pg_catalog.pg_restore_relation_stats('version', '180000'::integer, 'schemaname', 'public', 'relname', 't', 'relpages', '1'::integer);",
      'SET search_path = public; COPY t FROM stdin;',
      '\\copy not a command here',
      '\\.',
      '\\connect other_db',
      '\\connect -reuse-previous=on "dbname=\'we ird\'"',
      '\\unrestrict abc123',
    ]);
    expect(error).toBeUndefined();
    expect(kinds[0]).toBe('restrict');
    expect(kinds.filter((k) => k === 'copy-data')).toHaveLength(5);
    expect(kinds.slice(-3)).toEqual(['connect', 'connect', 'restrict']);
  });

  test('an E string does not hide a meta-command behind an escaped quote, a plain one does not escape', () => {
    expect(guard([...HEAD, "CREATE TABLE t (s text DEFAULT 'a\\'); \\! id"]).error?.message).toContain('line 7: psql meta-command \\!');
    expect(guard([...HEAD, "CREATE TABLE t (s text DEFAULT E'a\\'; \\! id');"]).error).toBeUndefined();
  });

  test('SQL that does not parse is ARCHIVE_CORRUPT with its line', () => {
    const { error } = guard([...HEAD, 'CREATE TABLE (;']);
    expect(error?.code).toBe('ARCHIVE_CORRUPT');
    expect(error?.message).toContain('dump.sql line 7: the SQL does not parse');
  });
});

describe('guardedPlainDump', () => {
  const read = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  test('restricts psql with our key, drops the file\'s own keys, lets \\connect through between unrestrict and restrict', async () => {
    const text = ['\\restrict fileKey', ...HEAD, '\\connect db2', 'COPY t FROM stdin;', '1', '\\.', '\\unrestrict fileKey', ''].join('\n');
    const out = await read(guardedPlainDump(Readable.from([Buffer.from(text)]), { where: 'x.sql', restrictKey: 'K1' }));
    expect(out.split('\n')).toEqual(['\\restrict K1', ...HEAD, '\\unrestrict K1', '\\connect db2', '\\restrict K1', 'COPY t FROM stdin;', '1', '\\.', '']);
  });

  test('fails the stream on the first line that is not data, before passing it on', async () => {
    const text = [...HEAD, 'CREATE TABLE t (id int);', 'SELECT 1; \\! touch /tmp/x', 'CREATE TABLE u (id int);'].join('\n');
    const passed: string[] = [];
    const stream = guardedPlainDump(Readable.from([Buffer.from(text)]), { where: 'x.sql' });
    const err = await (async () => {
      for await (const c of stream) passed.push(String(c));
    })().catch((e) => e);
    expect(err.code).toBe('ARCHIVE_NOT_DATA');
    expect(passed.join('')).not.toContain('\\!');
  });

  test('knows which psql has \\restrict', () => {
    expect(['15.18', '15.14', '16.10', '17.6', '18.0', '13.22'].map(psqlHasRestrict)).toEqual([true, true, true, true, true, true]);
    expect(['15.13', '16.9', '17.5', '12.22'].map(psqlHasRestrict)).toEqual([false, false, false, false]);
  });
});
