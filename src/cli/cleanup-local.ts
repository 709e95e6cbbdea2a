import { CleanupCommandOptions } from './cleanup-args';
import { DEFAULT_LEFTOVER_AGE_MS, findLocalLeftovers, LocalLeftovers } from '../cleanup/local-leftovers';
import { removeLocalLeftovers } from '../cleanup/remove-local-leftovers';

/** One leftover of a crashed restore as `cleanup --local` lists it. */
export interface LocalListed {
  readonly kind: string;
  readonly id: string;
  readonly restoreId: string;
  readonly note: string;
  /** Its restore is gone: removed with --yes. Otherwise listed only. */
  readonly orphan: boolean;
}

export interface LocalCleanupResult {
  readonly rows: LocalListed[];
  /** Something was removed. */
  readonly deleted: boolean;
  /** What could not be removed, one sentence each. */
  readonly failures: string[];
}

function listed(found: LocalLeftovers): LocalListed[] {
  const kinds = { server: 'throwaway server', dump: 'dump work directory' };
  return [
    ...found.schemas.map((s) => ({ kind: 'staging schema', id: s.schema, restoreId: s.restoreId, orphan: s.orphan, note: s.orphan ? s.reason : `kept: ${s.reason}` })),
    ...found.directories.map((d) => ({
      kind: kinds[d.kind],
      id: d.dir,
      restoreId: d.owner?.restoreId ?? '-',
      orphan: d.orphan,
      note: `${d.orphan ? d.reason : `kept: ${d.reason}`}${d.serverRunning && d.kind === 'server' ? '; server may be running' : ''}`,
    })),
  ];
}

/**
 * `cleanup --local`: find (and with `--yes` remove) the staging schemas in `--target`, throwaway
 * servers and work directories in `--temp-dir` that killed or crashed restores left behind.
 *
 * @example
 * const { rows } = await localCleanup(parseCleanupArgs({ local: true, target: url }, process.env), { onProgress: console.log });
 */
export async function localCleanup(
  options: CleanupCommandOptions, o: { onProgress?: (message: string) => void } = {},
): Promise<LocalCleanupResult> {
  const olderThanMs = options.olderThanMs ?? DEFAULT_LEFTOVER_AGE_MS;
  const found = await findLocalLeftovers({ target: options.target, tempDir: options.tempDir, olderThanMs });
  const rows = listed(found);
  if (!options.yes || !rows.some((r) => r.orphan)) return { rows, deleted: false, failures: [] };
  const removed = await removeLocalLeftovers(found, { target: options.target, onProgress: o.onProgress });
  return { rows, deleted: removed.schemas.length + removed.directories.length > 0, failures: removed.failures };
}
