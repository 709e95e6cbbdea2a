import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMarkedSchemas, MarkedSchema } from './staging-marker';
import { connect, DatabaseConnection } from '../connection';
import { OwnerRecord, ownerGone, readOwnerRecord } from '../local/cluster-registry';

/** Leftovers of restores started on other hosts count only when older than this. @default 24 h */
export const DEFAULT_LEFTOVER_AGE_MS = 24 * 3_600_000;

export interface FindLocalLeftoversOptions {
  /** Database to look for staging schemas in; none looked for without it. */
  readonly target?: DatabaseConnection;
  /** Directory the throwaway servers and dump work directories live in. @default os.tmpdir() */
  readonly tempDir?: string;
  /** Restores on other hosts, and directories without an owner record, count as gone after this. @default 24 h */
  readonly olderThanMs?: number;
  readonly now?: Date;
  /** Replaced in tests. @default signal 0 */
  readonly isAlive?: (pid: number) => boolean;
}

/** A staging schema in the target; `orphan` when its restore is gone (`reason` says why, or who still runs it). */
export interface StagingLeftover extends MarkedSchema {
  readonly orphan: boolean;
  readonly reason: string;
}

/** A `pgsr-cluster-*` (throwaway server) or `pgsr-dump-*` (dump work) directory. */
export interface DirectoryLeftover {
  readonly kind: 'server' | 'dump';
  readonly dir: string;
  readonly owner?: OwnerRecord;
  /** A server's `postmaster.pid` is there: it may still run. */
  readonly serverRunning: boolean;
  readonly orphan: boolean;
  readonly reason: string;
}

export interface LocalLeftovers {
  readonly schemas: StagingLeftover[];
  readonly directories: DirectoryLeftover[];
}

const DIRECTORY_KINDS: Array<[string, DirectoryLeftover['kind']]> = [['pgsr-cluster-', 'server'], ['pgsr-dump-', 'dump']];

function judge(owner: { pid: number; host: string; started: string }, o: FindLocalLeftoversOptions): { orphan: boolean; reason: string } {
  const gone = ownerGone(owner, { olderThanMs: o.olderThanMs ?? DEFAULT_LEFTOVER_AGE_MS, now: o.now, isAlive: o.isAlive });
  return gone ? { orphan: true, reason: gone } : { orphan: false, reason: `in use by process ${owner.pid} on ${owner.host}, started ${owner.started}` };
}

function findDirectories(o: FindLocalLeftoversOptions): DirectoryLeftover[] {
  const base = o.tempDir ?? tmpdir();
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const kind = DIRECTORY_KINDS.find(([prefix]) => name.startsWith(prefix))?.[1];
    if (!kind) return [];
    const dir = join(base, name);
    let stats;
    try {
      stats = statSync(dir);
    } catch {
      return [];
    }
    if (!stats.isDirectory()) return [];
    const owner = readOwnerRecord(dir);
    // Written right after the directory is created; without it, only age tells.
    const verdict = owner ? judge(owner, o) : judge({ pid: -1, host: '(unknown host)', started: stats.mtime.toISOString() }, o);
    let serverRunning = false;
    try {
      serverRunning = statSync(join(dir, 'data', 'postmaster.pid')).isFile();
    } catch {
      // no server, or never started
    }
    return [{ kind, dir, owner, serverRunning, ...verdict }];
  });
}

/**
 * What crashed or killed restores left on this machine and in the target: staging schemas
 * (`pgsr_<id>_<n>`, recognised by their marker comment), throwaway servers and dump work
 * directories in the temp dir. Each is an orphan when its restore's process is gone (on another
 * host: when older than `olderThanMs`); those still in use are listed too, never removed.
 *
 * @example
 * const found = await findLocalLeftovers({ target: 'postgres://postgres@db/tenant_a' });
 * found.schemas.filter((s) => s.orphan).map((s) => s.schema); // ['pgsr_4f1c2a9e0b7d_0']
 */
export async function findLocalLeftovers(o: FindLocalLeftoversOptions = {}): Promise<LocalLeftovers> {
  const directories = findDirectories(o);
  if (o.target === undefined) return { schemas: [], directories };
  const client = await connect(o.target, 'target');
  try {
    const schemas = (await listMarkedSchemas(client)).map((m) => ({ ...m, ...judge(m, o) }));
    return { schemas, directories };
  } finally {
    await client.end().catch(() => undefined);
  }
}
