import { execFileSync } from 'node:child_process';
import { Client, ClientBase } from 'pg';
import { quoteIdent, quoteQualified } from '../../src';
import { connect } from '../../src/connection';
import { LocalCluster, LocalClusterOptions, startLocalCluster } from '../../src/local';

/**
 * Start a throwaway cluster before the tests of a file and stop it after them, also when they fail.
 * Returns a getter because the cluster exists only once `beforeAll` has run.
 */
export function useLocalCluster(options: LocalClusterOptions = {}): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    cluster = await startLocalCluster(options);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('cluster not started (use it inside a test or a hook)');
    return cluster;
  };
}

/** Application name of the helpers' own sessions; differs from the product's `pg-schema-restore…` names. */
export const TEST_APPLICATION_NAME = 'pgsr-test-helper';

/** Run `fn` with a connected client and always close it. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url, 'test', TEST_APPLICATION_NAME);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Execute SQL (several statements allowed) on a database. */
export async function execSql(url: string, sql: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(sql);
  });
}

/** Create a database in a cluster and return its URL. */
export async function createDatabase(cluster: LocalCluster, name: string): Promise<string> {
  await execSql(cluster.url('postgres'), `CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  return cluster.url(name);
}

/**
 * Create a schema and run DDL with it as the only schema on the search path, so unqualified names
 * land in it: the same DDL creates a source schema and its staging twin in the target.
 */
export async function createSchemaWithDdl(url: string, schema: string, ddl: string): Promise<void> {
  await execSql(url, `CREATE SCHEMA ${quoteIdent(schema)}; SET search_path = ${quoteIdent(schema)}; ${ddl}`);
}

/**
 * Sessions of pg-schema-restore still open on a cluster (application name starting with
 * `pg-schema-restore`), after waiting up to `timeoutMs` for closing backends to exit.
 */
export async function waitForNoBackends(cluster: LocalCluster, timeoutMs = 5_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await withClient(cluster.url('postgres'), async (c) => (await c.query<{ app: string }>(
      "SELECT application_name AS app FROM pg_stat_activity WHERE application_name LIKE 'pg-schema-restore%' AND pid <> pg_backend_pid()")).rows.map((r) => r.app));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Row count and an order-independent digest of a table's rows (as `row::text`), for comparing two
 * databases. Pass a client to read inside its transaction (e.g. a snapshot).
 */
export async function tableDigest(db: string | ClientBase, schema: string, table: string): Promise<{ rows: number; md5: string }> {
  const digest = async (c: ClientBase): Promise<{ rows: number; md5: string }> => {
    const { rows } = await c.query<{ rows: string; md5: string }>(
      `SELECT count(*)::text AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C"), '')) AS md5 FROM ONLY ${quoteQualified(schema, table)} t`);
    return { rows: Number(rows[0].rows), md5: rows[0].md5 };
  };
  return typeof db === 'string' ? withClient(db, digest) : digest(db);
}

/** {@link tableDigest} of every table, partitioned table and materialized view of a schema, by name. */
export async function schemaDigests(db: string, schema: string): Promise<Record<string, { rows: number; md5: string }>> {
  return withClient(db, async (c) => {
    const { rows } = await c.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') ORDER BY 1`, [schema]);
    const out: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of rows) out[name] = await tableDigest(c, schema, name);
    return out;
  });
}

/** Command lines of running processes that mention a directory (a server whose data directory lies under it). */
export function processesUnder(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(dir) && !line.startsWith('ps '));
}

/** Names of the schemas named like staging schemas (`pgsr_…`) in a database, sorted. */
export async function stagingLikeSchemas(url: string): Promise<string[]> {
  return withClient(url, async (c) =>
    (await c.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr\\_%' ORDER BY 1")).rows.map((r) => r.nspname));
}

/** Relations, types (no arrays or row types) and functions of a schema, sorted. */
export async function objectsOf(url: string, schema: string): Promise<{ relations: string[]; types: string[]; functions: string[] }> {
  return withClient(url, async (c) => {
    const list = async (sql: string) => (await c.query<{ n: string }>(sql, [schema])).rows.map((r) => r.n);
    return {
      relations: await list('SELECT relname::text AS n FROM pg_class WHERE relnamespace = $1::regnamespace ORDER BY 1'),
      types: await list(`SELECT typname::text AS n FROM pg_type WHERE typnamespace = $1::regnamespace AND typrelid = 0
        AND NOT (typcategory = 'A' AND typelem <> 0) ORDER BY 1`),
      functions: await list('SELECT proname::text AS n FROM pg_proc WHERE pronamespace = $1::regnamespace ORDER BY 1'),
    };
  });
}

/** Names of the schemas of a database but the system's (`pg_*`, information_schema), sorted bytewise (as JavaScript's sort() does). */
export async function schemaNames(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>(
    "SELECT nspname::text AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY nspname::text COLLATE \"C\"")).rows.map((r) => r.n));
}
