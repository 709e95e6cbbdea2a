import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { countArchiveRows, inspectDumpArchive, ProgressEvent, TemporaryDatabase } from '../../../src';
import { libpqEnv } from '../../../src/connection';
import { restoreDumpArchive } from '../../../src/sources/dump/restore-dump-archive';
import { SAMPLE_TABLES, sampleRowCounts } from '../../../src/testing';
import { DIGESTED_TABLES, freshBaseDir, leftovers, SAMPLE_DUMP_ROWS, SampleDumpKind, useSampleDumps } from '../../support/dump-archives';
import { createDatabase, execSql, tableDigest, withClient } from '../../support/postgres';
import { useLocalS3 } from '../../support/s3';

const dumps = useSampleDumps();
const s3 = useLocalS3(['backups']);

beforeAll(async () => {
  await s3().put('backups', 'tenant_a/2024-01-28.dump', readFileSync(dumps().files.custom));
  await s3().put('backups', 'tenant_a/2024-01-28.tar', readFileSync(dumps().files.tar));
});

/** Schemas present in a restored database (system schemas left out). */
async function schemasIn(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ nspname: string }>(
    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname")).rows.map((r) => r.nspname));
}

/** Restore, run the checks, and always clean up; then nothing may be left in the base directory. */
async function withRestore(
  path: string, schemas: string[], check: (db: TemporaryDatabase, events: ProgressEvent[]) => Promise<void>, extra: object = {},
): Promise<void> {
  const baseDir = freshBaseDir();
  const events: ProgressEvent[] = [];
  const db = await restoreDumpArchive({ kind: 'dump', path }, { schemas, baseDir, onProgress: (e) => events.push(e), ...extra });
  try {
    expect(readdirSync(baseDir)).toEqual([expect.stringMatching(/^pgsr-cluster-/)]);
    await check(db, events);
  } finally {
    await db.cleanup();
    await db.cleanup();
    expect(leftovers(baseDir)).toEqual([]);
  }
}

/** The restored customer_a1 and its dependency public hold exactly what they held at dump time. */
async function expectDumpTimeData(url: string, tables: Array<[string, string]>): Promise<void> {
  for (const [schema, table] of tables) {
    expect({ table: `${schema}.${table}`, ...await tableDigest(url, schema, table) }).toEqual({ table: `${schema}.${table}`, ...dumps().digests[`${schema}.${table}`] });
  }
}

/** Owners, grants and policies came back with their roles. */
async function expectOwnersAndGrants(url: string): Promise<void> {
  const facts = await withClient(url, async (c) => (await c.query(`SELECT
      (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'customer_a1') AS schema_owner,
      (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'customer_a1.orders'::regclass) AS orders_owner,
      has_table_privilege('tenant_reader', 'customer_a1.users', 'SELECT') AS reader_selects_users,
      has_table_privilege('tenant_reader', 'customer_a1.audit_log', 'SELECT') AS reader_selects_audit_table,
      (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_a_owner') AS owner_can_login,
      (SELECT count(*)::int FROM pg_policy WHERE polrelid = 'customer_a1.orders'::regclass) AS policies`)).rows[0]);
  expect(facts).toEqual({
    schema_owner: 'tenant_a_owner',
    orders_owner: 'tenant_a_owner',
    reader_selects_users: true,
    reader_selects_audit_table: false,
    owner_can_login: false,
    policies: 2,
  });
}

const CUSTOMER_A1_AND_PUBLIC: Array<[string, string]> = DIGESTED_TABLES.filter(([s]) => s === 'customer_a1' || s === 'public');

describe('restoreDumpArchive from local archives', () => {
  test.each<[SampleDumpKind, string]>([
    ['custom', 'custom format'], ['directory', 'directory format'], ['tar', 'tar format'],
  ])('%s: only customer_a1 and public (which it depends on), as they were at dump time, with owners and grants', async (kind, formatName) => {
    await withRestore(dumps().files[kind], ['customer_a1'], async (db, events) => {
      const url = db.connection as string;
      expect(new URL(url).pathname).toBe('/tenant_a');
      expect(await schemasIn(url)).toEqual(['customer_a1', 'public']);
      await expectDumpTimeData(url, CUSTOMER_A1_AND_PUBLIC);
      await expectOwnersAndGrants(url);
      const at = db.restorePoint!.getTime();
      expect(at).toBeGreaterThanOrEqual(Math.floor(dumps().dumpedAfter.getTime() / 1000) * 1000);
      expect(at).toBeLessThanOrEqual(dumps().dumpedAfter.getTime() + 2000);
      expect(db.description).toBe(`pg_dump archive ${dumps().files[kind]} (${formatName}, dumped ${db.restorePoint!.toISOString().replace('.000Z', 'Z')})`);
      expect(db.warnings).toEqual([]);
      expect(events.filter((e) => e.type === 'phase')).toEqual([
        { type: 'phase', phase: 'source', status: 'start', message: `restoring customer_a1 (and public, which it depends on) from ${db.description} into a throwaway local server` },
        { type: 'phase', phase: 'source', status: 'done', message: 'restored customer_a1 (and public, which it depends on) into database tenant_a on a throwaway local server' },
      ]);
    });
  });

  test('plain SQL is loaded whole (with a warning); its "Started on" line is the restore point', async () => {
    await withRestore(dumps().files.plain, ['customer_a1'], async (db) => {
      const url = db.connection as string;
      expect(new URL(url).pathname).toBe('/restored');
      expect(await schemasIn(url)).toEqual(['Order Lines', 'customer_a1', 'customer_a2', 'deep', 'public', 'shared types']);
      await expectDumpTimeData(url, DIGESTED_TABLES);
      await expectOwnersAndGrants(url);
      expect(Math.abs(db.restorePoint!.getTime() - dumps().dumpedAfter.getTime())).toBeLessThan(2000);
      expect(db.description).toMatch(/^pg_dump archive .*tenant_a\.sql \(plain SQL, dumped \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
      expect(db.warnings).toEqual([`plain SQL cannot be filtered: all of ${dumps().files.plain} was loaded, also Order Lines, customer_a2, deep, public, shared types`]);
    });
  });

  test('gzip-compressed plain SQL without a dump time: streamed through gunzip, restore point from the file\'s mtime', async () => {
    await withRestore(dumps().files['plain.gz'], ['customer_a1'], async (db) => {
      await expectDumpTimeData(db.connection as string, CUSTOMER_A1_AND_PUBLIC);
      expect(db.restorePoint).toEqual(dumps().plainGzModified);
      expect(db.description).toBe(`pg_dump archive ${dumps().files['plain.gz']} (plain SQL, gzip-compressed, file modified 2024-01-28T14:30:00Z (the dump holds no time))`);
    }, { database: 'past' });
  });

  test('a schema whose name has a space pulls in its dependencies transitively (public, "shared types", and deep through it)', async () => {
    await withRestore(dumps().files.custom, ['Order Lines'], async (db, events) => {
      const url = db.connection as string;
      expect(await schemasIn(url)).toEqual(['Order Lines', 'deep', 'public', 'shared types']);
      await expectDumpTimeData(url, DIGESTED_TABLES.filter(([s]) => s !== 'customer_a1'));
      expect(events[0]).toMatchObject({ message: expect.stringMatching(/^restoring Order Lines \(and deep, public, shared types, which it depends on\) from /) });
    });
  });
});

test('an extension in a schema of its own is installed there; the schema comes empty, other schemas not at all', async () => {
  const url = await createDatabase(dumps().cluster, 'extension_elsewhere');
  await execSql(url, `CREATE SCHEMA ext; CREATE EXTENSION pg_trgm SCHEMA ext; COMMENT ON SCHEMA ext IS 'extensions live here';
    CREATE TABLE ext.unrelated (id int); CREATE SCHEMA other; CREATE TABLE other.y (id int);
    CREATE SCHEMA t; CREATE TABLE t.x (id int PRIMARY KEY, name text); INSERT INTO t.x VALUES (1, 'one'), (2, 'two');`);
  const file = join(dumps().dir, 'extension_elsewhere.dump');
  execFileSync(dumps().cluster.binaries.path('pg_dump'), ['-Fc', '-f', file], { env: { ...process.env, ...libpqEnv(url) } });
  await withRestore(file, ['t'], async (db) => {
    const restored = db.connection as string;
    expect(await schemasIn(restored)).toEqual(['ext', 'public', 't']);
    expect(await withClient(restored, async (c) => (await c.query(`SELECT
        (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm') AS trgm_schema,
        obj_description('ext'::regnamespace, 'pg_namespace') AS ext_comment,
        to_regclass('ext.unrelated') IS NULL AS unrelated_left_out,
        (SELECT count(*)::int FROM t.x) AS rows`)).rows[0])).toEqual({ trgm_schema: 'ext', ext_comment: 'extensions live here', unrelated_left_out: true, rows: 2 });
  });
});

describe('restoreDumpArchive from S3 (streamed)', () => {
  test.each([['custom', 'tenant_a/2024-01-28.dump'], ['tar', 'tenant_a/2024-01-28.tar']])('%s archive from s3://backups/%s', async (format, key) => {
    await withRestore(`s3://backups/${key}`, ['customer_a1'], async (db) => {
      expect(await schemasIn(db.connection as string)).toEqual(['customer_a1', 'public']);
      await expectDumpTimeData(db.connection as string, CUSTOMER_A1_AND_PUBLIC);
      await expectOwnersAndGrants(db.connection as string);
      expect(db.description).toMatch(new RegExp(`^pg_dump archive s3://backups/${key} \\(${format} format, dumped `));
    }, { clients: { s3: s3().client } });
  });

  test('s3://bucket/prefix/ picks the newest object, ignoring directory markers; the default client honours s3Endpoint', async () => {
    await s3().put('backups', 'daily/z-older.dump', readFileSync(dumps().files.custom));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s3().put('backups', 'daily/a-newer.sql.gz', readFileSync(dumps().files['plain.gz']));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s3().put('backups', 'daily/archive/', Buffer.alloc(0));
    const env = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
    try {
      const info = await inspectDumpArchive({ kind: 'dump', path: 's3://backups/daily/' }, { s3Endpoint: s3().endpoint });
      expect(info).toMatchObject({ location: 's3://backups/daily/a-newer.sql.gz', format: 'plain', gzip: true, sizeBytes: statSync(dumps().files['plain.gz']).size });
    } finally {
      process.env = env;
    }
  });
});

describe('inspectDumpArchive and countArchiveRows create nothing and read the archive only', () => {
  test('custom archive: location, format, dump time, database, schemas, tables, size', async () => {
    const info = await inspectDumpArchive({ kind: 'dump', path: dumps().files.custom }, { schemas: ['customer_a1'] });
    expect(info).toMatchObject({
      location: dumps().files.custom,
      format: 'custom',
      gzip: false,
      createdAtFrom: 'toc',
      database: 'tenant_a',
      schemas: ['Order Lines', 'customer_a1', 'customer_a2', 'deep', 'public', 'shared types'],
      sizeBytes: statSync(dumps().files.custom).size,
      warnings: [],
    });
    expect(Math.abs(info.createdAt.getTime() - dumps().dumpedAfter.getTime())).toBeLessThan(2000);
    expect([...info.tables.customer_a1].sort()).toEqual([...SAMPLE_TABLES].sort());
    expect(info.tables['Order Lines']).toEqual(['Line Items']);
  });

  test('plain SQL: one streamed pass finds schemas, tables and the "Started on" time', async () => {
    const info = await inspectDumpArchive({ kind: 'dump', path: dumps().files.plain });
    expect(info).toMatchObject({ format: 'plain', createdAtFrom: 'started-on', database: undefined });
    expect(info.schemas).toEqual(['Order Lines', 'customer_a1', 'customer_a2', 'deep', 'public', 'shared types']);
    expect([...info.tables.customer_a2].sort()).toEqual([...SAMPLE_TABLES].sort());
  });

  test('rows and bytes per table agree between formats, also read from S3, and are the dump-time counts', async () => {
    const expected = sampleRowCounts(SAMPLE_DUMP_ROWS);
    const counted = await Promise.all([
      countArchiveRows({ kind: 'dump', path: dumps().files.custom }, ['customer_a1']),
      countArchiveRows({ kind: 'dump', path: dumps().files.plain }, ['customer_a1']),
      countArchiveRows({ kind: 'dump', path: dumps().files['plain.gz'] }, ['customer_a1']),
      countArchiveRows({ kind: 'dump', path: 's3://backups/tenant_a/2024-01-28.tar' }, ['customer_a1'], { clients: { s3: s3().client } }),
    ]);
    const byTable = (list: typeof counted[0]) => Object.fromEntries(list.map((t) => [t.table, { rows: t.rows, bytes: t.bytes }]));
    const custom = byTable(counted[0]);
    expect(Object.fromEntries(Object.entries(custom).map(([t, v]) => [t, v.rows]))).toEqual(expected);
    expect(Object.values(custom).every((v) => v.bytes > v.rows * 10)).toBe(true);
    for (const other of counted.slice(1)) expect(byTable(other)).toEqual(custom);
    expect(counted[0].every((t) => t.schema === 'customer_a1')).toBe(true);
  });
});
