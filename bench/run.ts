/**
 * Restore speed and memory of pg-schema-restore against its peers, on one throwaway server, in one
 * run: every tool restores the same tenant BENCH_RUNS times (default 2), the rounds interleaved, and
 * the best run of each counts. Usage: `npm run bench`; BENCH_SCALE=10 for the 1.5 GB tenant
 * (bench/tenant-schema.sql, kept in the repo so a fresh clone can run it; default 1 ≈ 150 MB),
 * BENCH_SHAPE=many-tables for 2,000 small tables instead, BENCH_JOBS (default 4), BENCH_SPLIT (our
 * --split-tables-larger-than). Then, the same way, `pg-schema-restore backup` of the tenant to a
 * directory against `pg_dump -Fc -n` of it to a file (goal ≤ 1.1×). Last, `pg-schema-restore diff` of
 * the tenant restored side by side after a few thousand live changes, against `count(*)` of the same
 * tables in both schemas (goal ≤ 2×; bench/diff-bench.ts). BENCH_ONLY=restore, BENCH_ONLY=backup or
 * BENCH_ONLY=diff runs just one of the three.
 * Results go to bench/results/<timestamp>.json and are printed as a table.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { oursBackup, pgDumpCustom } from './backup-tools';
import { diffSummary, diffTools } from './diff-bench';
import { dumpAndRestore, ours, pgcopydb, Run, Tool, ToolContext } from './tools';
import { connect, libpqEnv } from '../src/connection';
import { startLocalCluster } from '../src/local';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const jobs = Number(process.env.BENCH_JOBS ?? 4);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const shape = process.env.BENCH_SHAPE === 'many-tables' ? 'many-tables' : 'tenant';
/** BENCH_ONLY=restore, BENCH_ONLY=backup or BENCH_ONLY=diff runs one of the three comparisons. */
const only = process.env.BENCH_ONLY;
const schema = 'customer_a1';

/** 2,000 small tables with a key, an index and a few rows each: the catalog work dominates, not the bytes. */
function manyTablesSql(): string {
  const tables = Array.from({ length: 2000 }, (_, i) => `CREATE TABLE ${schema}.t${i} (id int PRIMARY KEY, name text, at timestamptz DEFAULT now());
CREATE INDEX ON ${schema}.t${i} (name);
INSERT INTO ${schema}.t${i} (id, name) SELECT g, 'row ' || g FROM generate_series(1, 20) g;`);
  return `CREATE SCHEMA ${schema};\n${tables.join('\n')}\n`;
}

/** ", CPU 52 s" when the machine's busy time was measured. */
const cpu = (r: Run): string => (r.cpuSeconds !== undefined ? `, CPU ${r.cpuSeconds.toFixed(0)} s` : '');

/** One tool's best run as a line of the results table. */
const resultLine = (r: Run, ratio: string): string =>
  `${r.tool.padEnd(72)} ${r.seconds.toFixed(1).padStart(6)} s${cpu(r)}${r.peakRssMb ? `  peak RSS ${r.peakRssMb.toFixed(0)} MB` : ''}${ratio}`;

/** Every tool BENCH_RUNS times, the rounds interleaved (each round prepares then runs each tool); the best run of each. */
async function bestOf(tools: Tool[]): Promise<{ all: Run[]; best: Run[] }> {
  const all: Run[] = [];
  for (let round = 1; round <= runs; round++) {
    for (const tool of tools) {
      await tool.prepare(round);
      const r = tool.run(round);
      all.push(r);
      console.log(`  round ${round}: ${r.tool}: ${r.seconds.toFixed(1)} s${cpu(r)}${r.peakRssMb ? `, peak RSS ${r.peakRssMb.toFixed(0)} MB` : ''}`);
    }
  }
  return { all, best: tools.map((t) => all.filter((r) => r.tool === t.name).reduce((a, b) => (b.seconds < a.seconds ? b : a))) };
}

async function main(): Promise<void> {
  const pg = await startLocalCluster({ settings: { max_wal_size: '4GB', checkpoint_timeout: '30min', shared_buffers: '1GB', maintenance_work_mem: '512MB' } });
  const work = mkdtempSync(join(tmpdir(), 'pgsr-bench-'));
  if (pg.osUser) chownSync(work, pg.osUser.uid, pg.osUser.gid);
  const sql = async (database: string, text: string): Promise<void> => {
    const c = await connect(pg.url(database), 'bench');
    try { await c.query(text); } finally { await c.end(); }
  };
  try {
    for (const db of ['live', 'past']) await sql('postgres', `CREATE DATABASE ${db}`);
    // The throwaway server's password reaches the tools through the environment, never their arguments.
    const env = { ...process.env, ...libpqEnv(pg.url()) };
    delete env.PGDATABASE;
    console.log(shape === 'tenant' ? `loading the benchmark tenant at scale ${scale} ...` : 'creating 2,000 small tables ...');
    const psql = [pg.binaries.path('psql'), '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'past'];
    if (shape === 'tenant') execFileSync(psql[0], [...psql.slice(1), '-v', `schema=${schema}`, '-v', `scale=${scale}`, '-f', join(__dirname, 'tenant-schema.sql')], { stdio: 'inherit', env });
    else execFileSync(psql[0], psql.slice(1), { input: manyTablesSql(), stdio: ['pipe', 'inherit', 'inherit'], env });
    await sql('past', 'VACUUM ANALYZE');
    const c = await connect(pg.url('past'), 'bench');
    const size = await c.query<{ s: string }>('SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1', [schema])
      .finally(() => c.end());
    const tenantSize = size.rows[0].s;
    console.log(`${shape === 'tenant' ? `tenant at scale ${scale}` : '2,000 tables'}: ${tenantSize}; ${jobs} jobs, best of ${runs} interleaved runs`);

    const ctx: ToolContext = { pg, schema, jobs, env, work, sql };
    const tools: Tool[] = [ours(ctx, { validate: true }), ours(ctx, { validate: false }), dumpAndRestore(ctx), pgcopydb(ctx)]
      .filter((t): t is Tool => t !== undefined);
    const selected = (part: string): boolean => only === undefined || only === part;
    const { all, best } = selected('restore') ? await bestOf(tools) : { all: [], best: [] };
    const backups = selected('backup') ? await bestOf([oursBackup(ctx), pgDumpCustom(ctx)]) : { all: [], best: [] };
    // Last: it changes the tenant's rows.
    const diffs = selected('diff') && shape === 'tenant' ? await bestOf(await diffTools(ctx, scale)) : { all: [], best: [] };
    const peer = best.find((r) => r.tool.startsWith('pgcopydb')) ?? best.find((r) => r.tool.startsWith('pg_dump'));
    const machine = { cores: cpus().length, postgres: pg.binaries.version };
    const diff = { ...diffs, summary: diffSummary() };
    const out = { date: new Date().toISOString(), shape, scale, jobs, runs, tenantSize, ...machine, best, all, backup: backups, diff };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', `${out.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(out, null, 2));

    console.log(`\n${shape === 'tenant' ? `scale ${scale}` : '2,000 tables'} (${tenantSize}), PostgreSQL ${pg.binaries.version}, ${jobs} jobs, best of ${runs}`);
    for (const r of best) {
      const ratio = peer && r !== peer ? `  ${(r.seconds / peer.seconds).toFixed(2)}× ${peer.tool.split(' ')[0]}` : '';
      console.log(resultLine(r, ratio));
      if (r.phases) console.log(`    ${Object.entries(r.phases).map(([p, s]) => `${p} ${s.toFixed(1)} s`).join(', ')}`);
    }
    const [ourBackup, pgDump] = backups.best;
    if (ourBackup) console.log('\nbackup of the tenant (goal ≤ 1.1× pg_dump -Fc)');
    for (const r of backups.best) {
      console.log(resultLine(r, r === ourBackup ? `  ${(r.seconds / pgDump.seconds).toFixed(2)}× pg_dump` : ''));
    }
    const [ourDiff] = diffs.best;
    const count = diffs.best[diffs.best.length - 1];
    if (ourDiff) console.log(`\ndiff of the tenant after a few thousand live changes (goal ≤ 2× count(*)): ${diffSummary()}`);
    for (const r of diffs.best) console.log(resultLine(r, r !== count ? `  ${(r.seconds / count.seconds).toFixed(2)}× count(*)` : ''));
  } finally {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
