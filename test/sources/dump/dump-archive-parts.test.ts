import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { ToolError } from '../../../src';
import { freePort } from '../../../src/local';
import { explainArchiveFailure } from '../../../src/sources/dump/dump-archive-errors';
import { detectArchiveFormat } from '../../../src/sources/dump/dump-archive-format';
import { locateDumpArchive } from '../../../src/sources/dump/dump-archive-location';
import { plainDumpTime } from '../../../src/sources/dump/dump-archive-time';
import { parseArchiveToc } from '../../../src/sources/dump/dump-archive-toc';
import { tocListFor } from '../../../src/sources/dump/dump-toc-selection';
import { scanDumpText } from '../../../src/sources/dump/scan-dump-text';

const TOC = `;
; Archive created at 2024-01-28 14:30:05 UTC
;     dbname: tenant_a
;     TOC Entries: 20
;     Format: CUSTOM
;     Dumped from database version: 16.2 (Debian 16.2-1)
;
; Selected TOC Entries:
;
7; 2615 16502 SCHEMA - customer_a1 tenant_a_owner
3695; 0 0 ACL - SCHEMA customer_a1 tenant_a_owner
8; 2615 16652 SCHEMA - customer_a2 tenant_a_owner
9; 2615 16700 SCHEMA - Order Lines postgres
10; 2615 16701 SCHEMA - DATA postgres
2; 3079 16388 EXTENSION - citext 
3698; 0 0 COMMENT - EXTENSION citext 
3699; 0 0 DATABASE - tenant_a postgres
222; 1259 16552 TABLE customer_a1 products tenant_a_owner
236; 1259 16702 TABLE customer_a2 products tenant_a_owner
240; 1259 16710 TABLE Order Lines Line Items postgres
241; 0 16710 TABLE DATA Order Lines Line Items postgres
242; 0 16711 TABLE DATA DATA t postgres
3668; 0 16552 TABLE DATA customer_a1 products tenant_a_owner
3663; 0 16493 TABLE DATA public countries postgres
3675; 0 16642 MATERIALIZED VIEW DATA customer_a1 product_sales postgres
3495; 2606 16600 FK CONSTRAINT customer_a1 order_items order_items_order_id_fkey postgres
3800; 0 0 DEFAULT ACL customer_a2 DEFAULT PRIVILEGES FOR TABLES postgres
3801; 0 0 EVENT TRIGGER - audit_ddl postgres
`;

describe('parseArchiveToc', () => {
  const toc = parseArchiveToc(TOC);

  test('reads the dump time (as UTC), the database, the dumped server\'s version and every schema, also names with spaces', () => {
    expect(toc.createdAt).toEqual(new Date('2024-01-28T14:30:05Z'));
    expect(toc.database).toBe('tenant_a');
    expect(toc.serverMajor).toBe(16);
    expect(toc.schemas).toEqual(['DATA', 'Order Lines', 'customer_a1', 'customer_a2', 'public']);
  });

  test('entry types of several words, namespaces by known schema names, empty owners', () => {
    const byId = (id: number) => toc.entries.find((e) => e.dumpId === id);
    expect(byId(241)).toMatchObject({ desc: 'TABLE DATA', namespace: 'Order Lines', tag: 'Line Items', owner: 'postgres' });
    expect(byId(242)).toMatchObject({ desc: 'TABLE DATA', namespace: 'DATA', tag: 't' });
    expect(byId(3675)).toMatchObject({ desc: 'MATERIALIZED VIEW DATA', namespace: 'customer_a1', tag: 'product_sales' });
    expect(byId(3495)).toMatchObject({ desc: 'FK CONSTRAINT', namespace: 'customer_a1', tag: 'order_items order_items_order_id_fkey' });
    expect(byId(3800)).toMatchObject({ desc: 'DEFAULT ACL', namespace: 'customer_a2' });
    expect(byId(2)).toMatchObject({ desc: 'EXTENSION', namespace: undefined, tag: 'citext', owner: '' });
    expect(byId(3698)).toMatchObject({ desc: 'COMMENT', namespace: undefined, tag: 'EXTENSION citext' });
  });

  test('output without a table of contents is a corrupt archive', () => {
    expect(() => parseArchiveToc('garbage', '/x.dump')).toThrow('/x.dump has no readable table of contents (no "Archive created at" line); point --source at a file written by pg_dump');
  });

  test('a pg_restore -L list keeps the selected schemas and extensions, in the original order, and comments out the rest', () => {
    const list = tocListFor(toc, { schemas: new Set(['customer_a1', 'public']) }).trimEnd().split('\n');
    expect(list.map((l) => l.replace(/^(;?\d+);.*$/, '$1'))).toEqual([
      '7', '3695', ';8', ';9', ';10', '2', '3698', ';3699', '222', ';236', ';240', ';241', ';242', '3668', '3663', '3675', '3495', ';3800', ';3801',
    ]);
  });
});

describe('detectArchiveFormat looks at the bytes, not the name', () => {
  const plain = Buffer.from('--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n');
  const tar = Buffer.alloc(1024);
  tar.write('toc.dat', 0, 'latin1');
  tar.write('ustar', 257, 'latin1');

  test.each<[string, Buffer, object | undefined]>([
    ['custom', Buffer.from('PGDMP\x01\x0e\x00'), { format: 'custom', gzip: false }],
    ['tar with toc.dat first', tar, { format: 'tar', gzip: false }],
    ['plain SQL', plain, { format: 'plain', gzip: false }],
    ['gzip-compressed plain SQL, only its first bytes', gzipSync(Buffer.concat([plain, Buffer.alloc(50_000, 'x')])).subarray(0, 200), { format: 'plain', gzip: true }],
    ['gzip-compressed custom archive', gzipSync(Buffer.from('PGDMP\x01\x0e')), { format: 'custom', gzip: true }],
    ['pg_dumpall output', Buffer.from('--\n-- PostgreSQL database cluster dump\n--\n'), undefined],
    ['a tar of something else', Buffer.concat([Buffer.from('notes.txt'), tar.subarray(9)]), undefined],
    ['text', Buffer.from('hello'), undefined],
    ['nothing', Buffer.alloc(0), undefined],
  ])('%s', (_what, head, expected) => {
    expect(detectArchiveFormat(head)).toEqual(expected);
  });

  test('a directory archive is recognised by its toc.dat', () => {
    expect(detectArchiveFormat(Buffer.from('PGDMP\x01'), { directory: true })).toEqual({ format: 'directory', gzip: false });
    expect(detectArchiveFormat(Buffer.from('hello'), { directory: true })).toBeUndefined();
  });
});

describe('plainDumpTime', () => {
  const modified = new Date('2024-02-01T00:00:00Z');
  const at = (zone: string) => plainDumpTime({ startedOn: { wallClock: new Date('2024-01-28T14:30:00Z'), zone } }, modified);

  test('UTC and numeric offsets are exact; an ambiguous zone name is read as UTC, with a warning', () => {
    expect(at('UTC')).toEqual({ at: new Date('2024-01-28T14:30:00Z'), from: 'started-on' });
    expect(at('+0100')).toEqual({ at: new Date('2024-01-28T13:30:00Z'), from: 'started-on' });
    expect(at('-05')).toEqual({ at: new Date('2024-01-28T19:30:00Z'), from: 'started-on' });
    expect(at('CET')).toMatchObject({ at: new Date('2024-01-28T14:30:00Z'), warning: expect.stringContaining('time zone "CET"') });
  });

  test('without a "Started on" line, the file time', () => {
    expect(plainDumpTime({}, modified)).toEqual({ at: modified, from: 'modified' });
  });
});

describe('scanDumpText', () => {
  const script = [
    '--', '-- PostgreSQL database dump', '--', '', '-- Started on 2024-01-28 14:30:00 UTC', '',
    'CREATE SCHEMA "acme-corp";', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$', 'SELECT 1', '$$;',
    'COPY "acme-corp"."Order Lines" (id, note) FROM stdin;', '1\tfirst', '2\tCOPY x FROM stdin;', '\\.', '',
    'COPY public.empty (id) FROM stdin;', '\\.', '', '-- PostgreSQL database dump complete', '--', '',
  ].join('\n');

  test('counts COPY rows and bytes, finds schemas and the start time, even when chunks split lines anywhere', async () => {
    const oneByteChunks = Readable.from([...Buffer.from(script)].map((b) => Buffer.from([b])));
    const scan = await scanDumpText(oneByteChunks, { keepDdl: true });
    expect(scan).toMatchObject({
      createdSchemas: ['acme-corp'],
      startedOn: { wallClock: new Date('2024-01-28T14:30:00Z'), zone: 'UTC' },
      tables: [
        { schema: 'acme-corp', table: 'Order Lines', rows: 2, bytes: '1\tfirst\n'.length + '2\tCOPY x FROM stdin;\n'.length },
        { schema: 'public', table: 'empty', rows: 0, bytes: 0 },
      ],
      complete: true,
    });
    expect(scan.ddl).toContain('CREATE FUNCTION f()');
    expect(scan.ddl).not.toContain('first');
  });

  test('a script cut inside a COPY block, or before its closing line, is incomplete', async () => {
    expect((await scanDumpText(Readable.from([Buffer.from(script.slice(0, script.indexOf('\\.')))]))).complete).toBe(false);
    expect((await scanDumpText(Readable.from([Buffer.from(script.slice(0, script.indexOf('-- PostgreSQL database dump complete')))]))).complete).toBe(false);
  });
});

test('an S3 endpoint that does not answer: S3_UNREACHABLE, one line', async () => {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
  try {
    const err = await locateDumpArchive('s3://backups/tenant_a.dump', { client }).catch((e) => e);
    expect(err).toMatchObject({ code: 'S3_UNREACHABLE', message: expect.stringMatching(/^cannot reach S3 for s3:\/\/backups\/tenant_a\.dump \(ECONNREFUSED\); check the endpoint/) });
  } finally {
    client.destroy();
  }
});

describe('explainArchiveFailure', () => {
  const failed = (line: string) => new ToolError(`pg_restore failed (exit 1): pg_restore: error: ${line}`);

  test('damaged bytes are a corrupt archive; an archive format newer than pg_restore knows names the fix; other failures pass through', () => {
    expect(explainArchiveFailure(failed('could not read from input file: end of file'), '/x.dump')).toMatchObject({
      code: 'ARCHIVE_CORRUPT', message: '/x.dump is damaged or truncated (pg_restore: error: could not read from input file: end of file); point --source at a file written by pg_dump',
    });
    expect(explainArchiveFailure(failed('unsupported version (1.16) in file header'), '/x.dump')).toMatchObject({
      code: 'TOOL_FAILED', message: expect.stringMatching(/^\/x\.dump was written by a newer pg_dump than the local pg_restore reads .*; install newer PostgreSQL programs/),
    });
    expect(explainArchiveFailure(failed('unsupported version (7.7) in file header'), '/x.dump')).toMatchObject({ code: 'ARCHIVE_CORRUPT' });
    const other = failed('could not execute query: ERROR:  permission denied for schema x');
    expect(explainArchiveFailure(other, '/x.dump')).toBe(other);
  });
});
