/**
 * The restore tools the benchmark compares, each run as its own process on the same server, timed
 * from outside, with its peak RSS from GNU time when available.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from '../src/local';

/** One timed run of one tool. */
export interface Run {
  readonly tool: string;
  readonly seconds: number;
  readonly peakRssMb?: number;
  /**
   * CPU seconds the whole machine spent while it ran (from /proc/stat: the tool, the server's
   * backends and anything else running), the work behind the wall time: on 2 cores a restore takes
   * at least half of it.
   */
  readonly cpuSeconds?: number;
  /** Seconds per restore phase, from the CLI's plain log (pg-schema-restore only). */
  readonly phases?: Record<string, number>;
}

/** A tool: prepares its target (untimed), then restores the tenant once. */
export interface Tool {
  readonly name: string;
  prepare(round: number): Promise<void>;
  run(round: number): Run;
}

export interface ToolContext {
  readonly pg: LocalCluster;
  readonly schema: string;
  readonly jobs: number;
  /** The server's connection, for libpq tools, without PGDATABASE. */
  readonly env: NodeJS.ProcessEnv;
  readonly work: string;
  /** Run SQL on a database of the server. */
  readonly sql: (database: string, text: string) => Promise<void>;
}

/** Busy CPU time of the whole machine so far, in seconds (Linux), or undefined. */
function busyCpuSeconds(): number | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait are work; USER_HZ is 100 on Linux.
  return (ticks.slice(0, 8).reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / 100;
}

/** Run a command, timed, with its peak RSS and the machine's CPU time; throws with the end of its stderr when it fails. */
export function measured(tool: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Run & { stderr: string; stdout: string } {
  const gnuTime = existsSync('/usr/bin/time');
  const cpuBefore = busyCpuSeconds();
  const started = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = busyCpuSeconds();
  const cpuSeconds = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  const stderr = r.stderr ?? '';
  if (r.status !== 0) throw new Error(`${tool} failed: ${stderr.slice(-800)}`);
  const kb = /MAXRSS (\d+)/.exec(stderr)?.[1];
  return { tool, seconds, peakRssMb: kb ? Number(kb) / 1024 : undefined, cpuSeconds, stderr, stdout: r.stdout ?? '' };
}

/** Seconds between each phase's "started" and "done" lines of the plain log (`<ISO time> <phase> started: …`). */
function phaseSeconds(log: string): Record<string, number> {
  const started = new Map<string, number>();
  const phases: Record<string, number> = {};
  for (const m of log.matchAll(/^(\S+Z) (\S+) (started|done):/gm)) {
    const at = Date.parse(m[1]);
    if (m[3] === 'started') started.set(m[2], at);
    else if (started.has(m[2])) phases[m[2]] = (phases[m[2]] ?? 0) + (at - started.get(m[2])!) / 1000;
  }
  return phases;
}

/** pg-schema-restore's CLI (compiled), the connections in PGSR_SOURCE/PGSR_TARGET, progress as a plain log on stderr. */
export function ours(ctx: ToolContext, options: { validate: boolean }): Tool {
  const name = `pg-schema-restore (copy, ${ctx.jobs} jobs${options.validate ? ', with validation' : ', --no-validate'})`;
  const suffix = (round: number): string => `_r${round}${options.validate ? 'v' : 'n'}`;
  const cli = join(__dirname, '..', 'lib', 'cli', 'main.js');
  return {
    name,
    prepare: async (round) => ctx.sql('live', `DROP SCHEMA IF EXISTS ${ctx.schema}${suffix(round - 1)} CASCADE`),
    run: (round) => {
      const env = { ...process.env, PGSR_SOURCE: ctx.pg.url('past'), PGSR_TARGET: ctx.pg.url('live') };
      // BENCH_SPLIT (a size, e.g. 16MB) overrides --split-tables-larger-than, to measure splitting where the default splits nothing.
      const split = process.env.BENCH_SPLIT ? ['--split-tables-larger-than', process.env.BENCH_SPLIT] : [];
      const args = [cli, 'restore', '--schema', ctx.schema, '--suffix', suffix(round), '--jobs', String(ctx.jobs), ...split, ...(options.validate ? [] : ['--no-validate'])];
      const r = measured(name, process.execPath, args, env);
      return { tool: r.tool, seconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds, phases: phaseSeconds(r.stderr) };
    },
  };
}

/** `pg_dump -Fd -j` then `pg_restore -j` into another database (no rename possible). */
export function dumpAndRestore(ctx: ToolContext): Tool {
  const name = `pg_dump -Fd -j${ctx.jobs} + pg_restore -j${ctx.jobs} (other database)`;
  const dir = join(ctx.work, 'dump');
  return {
    name,
    prepare: async () => {
      rmSync(dir, { recursive: true, force: true });
      await ctx.sql('postgres', 'DROP DATABASE IF EXISTS peer_restore');
      await ctx.sql('postgres', 'CREATE DATABASE peer_restore');
    },
    run: () => {
      const dump = measured(name, ctx.pg.binaries.path('pg_dump'), ['-Fd', '-j', String(ctx.jobs), '-n', ctx.schema, '-f', dir, 'past'], ctx.env);
      const restore = measured(name, ctx.pg.binaries.path('pg_restore'), ['-j', String(ctx.jobs), '-d', 'peer_restore', dir], ctx.env);
      return {
        tool: name,
        seconds: dump.seconds + restore.seconds,
        peakRssMb: Math.max(dump.peakRssMb ?? 0, restore.peakRssMb ?? 0) || undefined,
        cpuSeconds: dump.cpuSeconds !== undefined && restore.cpuSeconds !== undefined ? dump.cpuSeconds + restore.cpuSeconds : undefined,
      };
    },
  };
}

/** `pgcopydb clone` with table and index jobs into another database, when installed. */
export function pgcopydb(ctx: ToolContext): Tool | undefined {
  const bin = ['/usr/bin/pgcopydb', '/usr/lib/postgresql/15/bin/pgcopydb'].find(existsSync);
  if (!bin) return undefined;
  const name = `pgcopydb clone --table-jobs ${ctx.jobs} --index-jobs ${ctx.jobs} (other database)`;
  const dir = join(ctx.work, 'pgcopydb');
  const filters = join(ctx.work, 'filters.ini');
  return {
    name,
    prepare: async () => {
      rmSync(dir, { recursive: true, force: true });
      writeFileSync(filters, `[include-only-schema]\n${ctx.schema}\n`);
      await ctx.sql('postgres', 'DROP DATABASE IF EXISTS pgcopydb_target');
      await ctx.sql('postgres', 'CREATE DATABASE pgcopydb_target');
    },
    run: () => measured(name, bin, ['clone', '--table-jobs', String(ctx.jobs), '--index-jobs', String(ctx.jobs), '--filters', filters, '--dir', dir, '--no-owner'],
      { ...ctx.env, PGCOPYDB_SOURCE_PGURI: ctx.pg.url('past'), PGCOPYDB_TARGET_PGURI: ctx.pg.url('pgcopydb_target'), TMPDIR: ctx.work, HOME: ctx.work }),
  };
}
