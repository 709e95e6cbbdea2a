import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ToolError } from '../../errors';
import { formatDuration } from '../../format-units';
import { missingRoleError } from '../../local/admit-restore-logins';
import { LocalCluster } from '../../local/local-cluster';
import { serverLogSummary } from '../../local/server-log';
import { poll, POLL_NOT_YET, pollDone } from '../../poll';

/** Where a recovering server stands: still replaying, promoted and open, or gone (recovery failed). */
export type PromotionState = 'recovering' | 'promoted' | 'stopped';

/** Whether the postmaster of a data directory is alive (its lock file names a running process). */
function postmasterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Refusals a server gives while it is still starting or recovering (57P03), not yet listening, or
 * going down (a recovery that failed shuts the server down: the next look finds it stopped and its
 * log says why).
 */
function stillStarting(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  if (['57P03', '57P01', 'ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE'].includes(code ?? '')) return true;
  return /Connection terminated unexpectedly|terminating connection/i.test((err as Error).message ?? '');
}

/**
 * Look once at a recovering server: `promoted` when it accepts connections and
 * `pg_is_in_recovery()` is false. Connects to `template1`, which every cluster has.
 *
 * @example
 * await checkPromotion(cluster); // 'recovering' | 'promoted' | 'stopped'
 */
export async function checkPromotion(cluster: LocalCluster): Promise<PromotionState> {
  if (!postmasterRunning(cluster.dataDir)) return 'stopped';
  // Through the private socket: the superuser gets our password only once promoted (admitRestoreLogins).
  const client = new Client({ ...cluster.socketConnection('template1'), application_name: 'pg-schema-restore recovery' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
    return rows[0].recovering ? 'recovering' : 'promoted';
  } catch (err) {
    if (stillStarting(err)) return 'recovering';
    const missingRole = missingRoleError(cluster.user, err);
    if (missingRole) throw missingRole;
    throw new ToolError(`cannot ask the recovering server whether it is promoted: ${(err as Error).message}; retry the restore`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Options of {@link waitForPromotion}. */
export interface WaitForPromotionOptions {
  readonly cluster: LocalCluster;
  /** Give up after this long. @default 24 hours: replay ends by itself when the archive has no more WAL */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The error a server log reveals when the server stopped (e.g. target beyond the archive). */
  readonly explainStop?: (log: string) => Error | undefined;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Wait until a recovering server has reached its target and promoted itself, polling with backoff.
 * Throws the error its log explains when it stops instead, a ToolError at the deadline, and an
 * AbortedError on abort. The server is left as it is: the caller stops it.
 *
 * @example
 * await waitForPromotion({ cluster, signal, explainStop: (log) => explainRecoveryLog(log, facts) });
 */
export async function waitForPromotion(options: WaitForPromotionOptions): Promise<void> {
  const { cluster } = options;
  const timeoutMs = options.timeoutMs ?? 24 * 3600_000;
  await poll({
    check: async () => {
      const state = await checkPromotion(cluster);
      if (state === 'promoted') return pollDone(undefined);
      if (state === 'stopped') {
        const log = existsSync(cluster.logFile) ? readFileSync(cluster.logFile, 'utf8') : '';
        throw options.explainStop?.(log) ?? new ToolError(`the recovering server stopped before it was promoted: ${serverLogSummary(log)}`);
      }
      return POLL_NOT_YET;
    },
    minDelayMs: 50,
    maxDelayMs: 1000,
    backoff: 1.5,
    timeoutMs,
    timeoutError: () => new ToolError(`recovery did not finish within ${formatDuration(timeoutMs)}; recover from a newer base backup, which leaves less WAL to replay`),
    signal: options.signal,
    sleep: options.sleep,
    now: options.now,
  });
}
