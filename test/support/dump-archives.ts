import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execSql, tableDigest, useLocalCluster, withClient } from './postgres';
import { libpqEnv } from '../../src/connection';
import { LocalCluster } from '../../src/local';
import { createSampleDatabases, SAMPLE_TABLES } from '../../src/testing';

/** The archives {@link useSampleDumps} writes, by format. */
export type SampleDumpKind = 'custom' | 'directory' | 'tar' | 'plain' | 'plain.gz';

export interface SampleDumps {
  readonly cluster: LocalCluster;
  /** Directory holding the archives (removed after the tests). */
  readonly dir: string;
  readonly files: Record<SampleDumpKind, string>;
  /** The server's `now()`, read right before the first pg_dump. */
  readonly dumpedAfter: Date;
  /** Modification time given to the plain.gz dump (written without --verbose: it holds no time). */
  readonly plainGzModified: Date;
  /** `schema.table` → row count and digest at dump time. */
  readonly digests: Record<string, { rows: number; md5: string }>;
}

/** Users per sample schema: small, so each restore takes a moment. */
export const SAMPLE_DUMP_ROWS = 50;

/** Tables whose dump-time digests are recorded. */
export const DIGESTED_TABLES: Array<[string, string]> = [
  ...SAMPLE_TABLES.map((t): [string, string] => ['customer_a1', t]),
  ['public', 'countries'], ['Order Lines', 'Line Items'], ['shared types', 'units'],
];

/**
 * Beside the sample tenant schemas: `"Order Lines"` (a name with a space) refers to `public` and
 * `"shared types"`, which refers to `deep` — a chain of dependencies two schemas long.
 */
const EXTRA_SCHEMAS_SQL = `
CREATE SCHEMA deep;
CREATE TYPE deep.unit AS ENUM ('kg', 'pcs');
CREATE SCHEMA "shared types";
CREATE TABLE "shared types".units (id int PRIMARY KEY, unit deep.unit NOT NULL);
INSERT INTO "shared types".units VALUES (1, 'kg'), (2, 'pcs');
CREATE SCHEMA "Order Lines";
CREATE TABLE "Order Lines"."Line Items" (
  id int PRIMARY KEY, country char(2) REFERENCES public.countries (code), unit_id int REFERENCES "shared types".units (id));
INSERT INTO "Order Lines"."Line Items" SELECT g, 'DE', 1 + g % 2 FROM generate_series(1, 7) g;
GRANT USAGE ON SCHEMA "Order Lines" TO tenant_reader;`;

function pgDump(cluster: LocalCluster, format: string, file: string, extra: string[] = []): void {
  execFileSync(cluster.binaries.path('pg_dump'), [`-F${format}`, '-f', file, ...extra],
    { env: { ...process.env, TZ: 'UTC', ...libpqEnv(cluster.url('tenant_a')) }, stdio: ['ignore', 'ignore', 'ignore'] });
}

/**
 * A source server with the sample database `tenant_a` (customer_a1, customer_a2, public with citext
 * and countries, plus the schemas above), dumped by the real pg_dump in every format with TZ=UTC;
 * rows are added after the dump, so a restore that shows them did not come from the archive.
 */
export function useSampleDumps(): () => SampleDumps {
  const cluster = useLocalCluster();
  let dumps: SampleDumps | undefined;
  beforeAll(async () => {
    const c = cluster();
    await createSampleDatabases(c, { rows: SAMPLE_DUMP_ROWS, databases: { tenant_a: ['customer_a1', 'customer_a2'] } });
    const url = c.url('tenant_a');
    await execSql(url, EXTRA_SCHEMAS_SQL);
    const digests: SampleDumps['digests'] = {};
    for (const [schema, table] of DIGESTED_TABLES) digests[`${schema}.${table}`] = await tableDigest(url, schema, table);
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-test-dumps-'));
    const files: Record<SampleDumpKind, string> = {
      'custom': join(dir, 'tenant_a.dump'),
      'directory': join(dir, 'tenant_a.dir'),
      'tar': join(dir, 'tenant_a.tar'),
      'plain': join(dir, 'tenant_a.sql'),
      'plain.gz': join(dir, 'tenant_a.sql.gz'),
    };
    const dumpedAfter = await withClient(url, async (client) => (await client.query<{ now: Date }>('SELECT now()')).rows[0].now);
    pgDump(c, 'c', files.custom);
    pgDump(c, 'd', files.directory);
    pgDump(c, 't', files.tar);
    pgDump(c, 'p', files.plain, ['--verbose']);
    const quiet = join(dir, 'quiet.sql');
    pgDump(c, 'p', quiet);
    writeFileSync(files['plain.gz'], gzipSync(readFileSync(quiet)));
    rmSync(quiet);
    const plainGzModified = new Date('2024-01-28T14:30:00Z');
    utimesSync(files['plain.gz'], plainGzModified, plainGzModified);
    await execSql(url, `INSERT INTO customer_a1.users (email, full_name, country_code)
      SELECT 'late' || g || '@example.com', 'After The Dump', 'US' FROM generate_series(1, 5) g;
      INSERT INTO public.countries VALUES ('NZ', 'New Zealand');`);
    dumps = { cluster: c, dir, files, dumpedAfter, plainGzModified, digests };
  }, 120_000);
  afterAll(() => {
    if (dumps) rmSync(dumps.dir, { recursive: true, force: true });
  });
  return () => {
    if (!dumps) throw new Error('sample dumps not written (use them inside a test or a hook)');
    return dumps;
  };
}

/**
 * A fresh empty directory to pass as `baseDir`, so a test can check that nothing was left in it.
 * Traversable by all: as root the throwaway server runs as `postgres` and must reach its directory.
 */
export function freshBaseDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgsr-test-base-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** What is left in a base directory (should be nothing), then remove it. */
export function leftovers(baseDir: string): string[] {
  const left = readdirSync(baseDir);
  rmSync(baseDir, { recursive: true, force: true });
  return left;
}
