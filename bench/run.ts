/**
 * Restore speed and memory of pg-schema-restore against its peers, on the benchmark tenant
 * (bench/tenant-schema.sql, kept in the repo so a fresh clone can run it). Usage: `npm run bench` (BENCH_SCALE=10 for ≈1 GB; default 1 ≈ 100 MB).
 * Results go to bench/results/<timestamp>.json and are printed as a table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreSchema } from '../src';
import { connect, libpqEnv } from '../src/connection';
import { LocalCluster, startLocalCluster } from '../src/local';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const jobs = Number(process.env.BENCH_JOBS ?? 4);
// BENCH_SPLIT (bytes) overrides splitTablesLargerThan, to measure splitting at a scale where the default does not split.
const split = process.env.BENCH_SPLIT === undefined ? undefined : Number(process.env.BENCH_SPLIT);
const schema = 'customer_a1';
const tenantSql = join(__dirname, 'tenant-schema.sql');

interface Result { tool: string; seconds: number; peakRssMb?: number; note?: string }

async function sql(url: string, text: string): Promise<void> {
  const c = await connect(url, 'bench');
  try { await c.query(text); } finally { await c.end(); }
}

function timed(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Peak RSS of a child command, from GNU time when available. */
function runMeasured(cmd: string, args: string[], env: NodeJS.ProcessEnv): { seconds: number; peakRssMb?: number } {
  const gnuTime = existsSync('/usr/bin/time');
  let stderr = '';
  const seconds = timed(() => {
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { env, encoding: 'utf8' })
      : spawnSync(cmd, args, { env, encoding: 'utf8' });
    stderr = r.stderr ?? '';
    if (r.status !== 0) throw new Error(`${cmd} failed: ${stderr.slice(-500)}`);
  });
  const kb = /MAXRSS (\d+)/.exec(stderr)?.[1];
  return { seconds, peakRssMb: kb ? Number(kb) / 1024 : undefined };
}

async function main(): Promise<void> {
  const pg: LocalCluster = await startLocalCluster({ settings: { max_wal_size: '4GB', checkpoint_timeout: '30min', shared_buffers: '1GB', maintenance_work_mem: '512MB' } });
  const results: Result[] = [];
  const work = mkdtempSync(join(tmpdir(), 'pgsr-bench-'));
  if (pg.osUser) execFileSync('chown', [`${pg.osUser.uid}:${pg.osUser.gid}`, work]);
  try {
    for (const db of ['live', 'past', 'peer_restore', 'pgcopydb_target']) await sql(pg.url(), `CREATE DATABASE ${db}`);
    console.log(`loading the benchmark tenant at scale ${scale} ...`);
    // The throwaway server's password reaches the tools through the environment, never their arguments.
    const env = { ...process.env, ...libpqEnv(pg.url()) };
    delete env.PGDATABASE;
    execFileSync(pg.binaries.path('psql'), ['-q', '-v', `schema=${schema}`, '-v', `scale=${scale}`, '-f', tenantSql, '-d', 'past'], { stdio: 'inherit', env });
    const size = await (async () => {
      const c = await connect(pg.url('past'), 'bench');
      try { return (await c.query('SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1', [schema])).rows[0].s; } finally { await c.end(); }
    })();
    console.log(`tenant size ${size}; restoring with ${jobs} jobs`);

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
    const t0 = process.hrtime.bigint();
    await restoreSchema({ source: pg.url('past'), target: pg.url('live'), schemas: [schema], suffix: '_restored', jobs, ...(split !== undefined ? { splitTablesLargerThan: split } : {}) });
    const ours = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    results.push({ tool: `pg-schema-restore (copy, ${jobs} jobs, with validation)`, seconds: ours, peakRssMb: peakRss / 1048576 });

    const dumpDir = join(work, 'dump');
    const dump = runMeasured(pg.binaries.path('pg_dump'), ['-Fd', '-j', String(jobs), '-n', schema, '-f', dumpDir, 'past'], env);
    const restore = runMeasured(pg.binaries.path('pg_restore'), ['-j', String(jobs), '-d', 'peer_restore', dumpDir], env);
    results.push({
      tool: `pg_dump -Fd -j${jobs} + pg_restore -j${jobs} (no rename possible, other database)`,
      seconds: dump.seconds + restore.seconds,
      peakRssMb: Math.max(dump.peakRssMb ?? 0, restore.peakRssMb ?? 0) || undefined,
    });

    const pgcopydb = ['/usr/bin/pgcopydb', '/usr/lib/postgresql/15/bin/pgcopydb'].find(existsSync);
    if (pgcopydb) {
      const copyEnv = { ...env, PGCOPYDB_SOURCE_PGURI: pg.url('past'), PGCOPYDB_TARGET_PGURI: pg.url('pgcopydb_target'), TMPDIR: work, HOME: work };
      const filters = join(work, 'filters.ini');
      writeFileSync(filters, `[include-only-schema]\n${schema}\n`);
      const r = runMeasured(pgcopydb, ['clone', '--table-jobs', String(jobs), '--index-jobs', String(jobs), '--filters', filters, '--dir', join(work, 'pgcopydb'), '--no-owner'], copyEnv);
      results.push({ tool: `pgcopydb clone --table-jobs ${jobs} (no rename possible, other database)`, ...r });
    } else {
      results.push({ tool: 'pgcopydb', seconds: NaN, note: 'not installed (apt-get install pgcopydb)' });
    }

    const out = { date: new Date().toISOString(), scale, jobs, tenantSize: size, postgres: pg.binaries.version, results };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', `${out.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(out, null, 2));
    console.log(`\nscale ${scale} (${size}), PostgreSQL ${pg.binaries.version}, ${jobs} jobs`);
    for (const r of results) console.log(`${r.tool.padEnd(80)} ${Number.isNaN(r.seconds) ? r.note : `${r.seconds.toFixed(1)} s`}${r.peakRssMb ? `  peak RSS ${r.peakRssMb.toFixed(0)} MB` : ''}`);
  } finally {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
