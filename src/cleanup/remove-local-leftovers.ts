import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropStagingSchemas } from './drop-staging';
import { DirectoryLeftover, LocalLeftovers } from './local-leftovers';
import { DatabaseConnection } from '../connection';
import { isLargeObjectRecordSchema, unlinkRecordedLargeObjects } from '../copy/large-object-record';
import { InvalidInputError, SchemaRestoreError } from '../errors';
import { isProcessAlive } from '../local/cluster-registry';
import { findPostgresBinaries } from '../local/postgres-binaries';
import { poll, POLL_NOT_YET, pollDone } from '../poll';

export interface RemoveLocalLeftoversOptions {
  /** The database the staging schemas were found in (required when there are any). */
  readonly target?: DatabaseConnection;
  /** How long to keep retrying a staging drop while the target is unreachable. @default 120000 */
  readonly timeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface RemovedLeftovers {
  readonly schemas: string[];
  readonly directories: string[];
  /** What could not be removed, one sentence each. */
  readonly failures: string[];
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stop a throwaway server as it would have been stopped by its restore: immediately, as its OS user. */
async function stopServer(dir: string): Promise<void> {
  const dataDir = join(dir, 'data');
  const pid = postmasterPid(dataDir);
  if (pid === undefined || !isProcessAlive(pid)) return;
  const { uid, gid } = statSync(dataDir);
  try {
    spawnSync(findPostgresBinaries().path('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { uid, gid, cwd: dir, stdio: 'ignore', timeout: 40_000 });
  } catch {
    // No pg_ctl here: the signal below does what `-m immediate` does.
  }
  if (!isProcessAlive(pid)) return;
  process.kill(pid, 'SIGQUIT');
  await poll({
    check: async () => (isProcessAlive(pid) ? POLL_NOT_YET : pollDone(undefined)),
    minDelayMs: 100,
    maxDelayMs: 100,
    timeoutMs: 10_000,
    timeoutError: () => new SchemaRestoreError('CLEANUP_FAILED', `the server (process ${pid}) did not stop`),
  });
}

async function removeDirectory(d: DirectoryLeftover): Promise<void> {
  if (d.kind === 'server') await stopServer(d.dir);
  rmSync(d.dir, { recursive: true, force: true });
}

/**
 * Remove the orphans among leftovers found by {@link findLocalLeftovers}: staging schemas are
 * dropped (see {@link dropStagingSchemas}), throwaway servers stopped (`pg_ctl -m immediate`, as
 * the server's OS user) and their directories, like dump work directories, deleted. Leftovers
 * still in use are never touched.
 *
 * @example
 * const removed = await removeLocalLeftovers(await findLocalLeftovers({ target }), { target });
 */
export async function removeLocalLeftovers(found: LocalLeftovers, o: RemoveLocalLeftoversOptions = {}): Promise<RemovedLeftovers> {
  const failures: string[] = [];
  const directories: string[] = [];
  for (const d of found.directories.filter((x) => x.orphan)) {
    try {
      o.onProgress?.(`removing ${d.kind === 'server' ? 'the throwaway server in ' : ''}${d.dir}`);
      await removeDirectory(d);
      directories.push(d.dir);
    } catch (err) {
      failures.push(`${d.dir} could not be removed: ${(err as Error).message}`);
    }
  }
  const orphanSchemas = found.schemas.filter((s) => s.orphan).map((s) => s.schema);
  if (orphanSchemas.length === 0) return { schemas: [], directories, failures };
  if (o.target === undefined) throw new InvalidInputError('staging schemas were found but no target was given to drop them from');
  o.onProgress?.(`dropping ${orphanSchemas.map((s) => `"${s}"`).join(', ')}`);
  // A dead restore's large objects live outside its schemas: its record (`pgsr_<id>_lo`) lists them.
  const records = orphanSchemas.filter(isLargeObjectRecordSchema);
  const result = await dropStagingSchemas({
    target: o.target,
    schemas: orphanSchemas,
    timeoutMs: o.timeoutMs,
    onRetry: o.onProgress,
    beforeDrop: async (client) => {
      for (const schema of records) await unlinkRecordedLargeObjects(client, { schema, created: new Set() });
    },
  });
  if (result.left.length > 0) failures.push(`${result.left.map((s) => `"${s}"`).join(', ')} could not be dropped: ${result.error?.message ?? 'unknown reason'}`);
  return { schemas: result.dropped, directories, failures };
}
