import { execFileSync } from 'node:child_process';
import { libpqEnv } from '../../src/connection';
import { LocalCluster } from '../../src/local';

/**
 * pg_dump of a database as comparable text: psql meta-command keys (random per run) and version
 * banners removed. `args` select what is dumped (e.g. `--schema-only -n x`).
 */
export function comparableDump(cluster: LocalCluster, database: string, args: string[]): string {
  const out = execFileSync(cluster.binaries.path('pg_dump'), args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, ...libpqEnv(cluster.url(database)) } });
  return out.split('\n').filter((l) => !/^\\(un)?restrict /.test(l) && !/^-- Dumped (from|by)/.test(l)).join('\n');
}
