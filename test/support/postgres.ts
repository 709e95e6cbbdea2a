import { Client } from 'pg';
import { connect, LocalCluster, LocalClusterOptions, startLocalCluster } from '../../src';

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

/** Run `fn` with a connected client and always close it. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url, 'test');
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
