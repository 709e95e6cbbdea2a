import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Name of the owner record inside each `pgsr-cluster-*` and `pgsr-dump-*` directory. */
export const OWNER_FILE = 'owner.json';

/** The restore (process) a throwaway directory belongs to. */
export interface OwnerRecord {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601. */
  readonly started: string;
  readonly restoreId?: string;
}

/**
 * Write down that this process owns a throwaway directory, so `cleanup --local` can tell an
 * orphan (its owner is gone) from a directory in use.
 *
 * @example
 * writeOwnerRecord(mkdtempSync(join(tmpdir(), 'pgsr-cluster-')), { restoreId });
 */
export function writeOwnerRecord(dir: string, o: { restoreId?: string; now?: Date } = {}): OwnerRecord {
  const record: OwnerRecord = { pid: process.pid, host: hostname(), started: (o.now ?? new Date()).toISOString(), restoreId: o.restoreId };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return record;
}

/** The owner record of a directory; undefined when there is none or it is unreadable. */
export function readOwnerRecord(dir: string): OwnerRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    if (typeof r.pid !== 'number' || typeof r.host !== 'string' || typeof r.started !== 'string') return undefined;
    return { pid: r.pid, host: r.host, started: r.started, restoreId: typeof r.restoreId === 'string' ? r.restoreId : undefined };
  } catch {
    return undefined;
  }
}

/**
 * Whether a process runs on this host (signal 0: EPERM means it exists under another user).
 *
 * @example
 * isProcessAlive(process.pid); // true
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    // An exited child nobody reaped (PID 1 in a container may not) is gone all the same.
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true; // no /proc: signal 0 answered

    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/**
 * Whether the restore that wrote a record (or a staging marker) is gone: dead on this host, or on
 * another host (where its process cannot be checked) started longer ago than `olderThanMs`.
 * Returns the reason, or undefined while it may still run.
 *
 * @example
 * ownerGone({ pid: 4242, host: hostname(), started }, { olderThanMs: 86_400_000 }); // 'process 4242 is not running'
 */
export function ownerGone(
  owner: { pid: number; host: string; started: string }, o: { olderThanMs: number; now?: Date; isAlive?: (pid: number) => boolean },
): string | undefined {
  if (owner.host === hostname()) return (o.isAlive ?? isProcessAlive)(owner.pid) ? undefined : `process ${owner.pid} is not running`;
  const ageMs = (o.now ?? new Date()).getTime() - Date.parse(owner.started);
  if (!(ageMs > o.olderThanMs)) return undefined;
  return `on host ${owner.host}, started ${hours(ageMs)} ago (older than ${hours(o.olderThanMs)}; its process cannot be checked from here)`;
}
