import { listBackupRuns } from './backup-catalog';
import { BackupLocationOptions, withBackupStore } from './backup-location';
import { MANIFEST_FILE } from './backup-manifest';
import { planPrune, PruneDecision, RetentionPolicy } from './plan-prune';

/** Options of {@link pruneBackups}. */
export interface PruneBackupsOptions extends BackupLocationOptions, RetentionPolicy {
  /** Only this database's runs. @default - every database under `from`, each pruned on its own */
  readonly database?: string;
  /** Decide and report, delete nothing. @default false */
  readonly dryRun?: boolean;
  /** @default new Date() */
  readonly now?: Date;
  /** See {@link planPrune}. @default 86_400_000 (a day) */
  readonly incompleteAfterMs?: number;
}

/** What {@link pruneBackups} decided and did. */
export interface PruneBackupsResult {
  /** Every run, oldest first, with what was decided and why. */
  readonly decisions: readonly PruneDecision[];
  /** Runs deleted (0 on a dry run). */
  readonly deletedRuns: number;
  /** Objects deleted (0 on a dry run). */
  readonly deletedObjects: number;
  /** Bytes freed (0 on a dry run). */
  readonly deletedBytes: number;
}

/**
 * Apply a retention policy to the backups at a location: {@link planPrune} decides, then every
 * object of each run to delete is removed — its manifest first, so a prune cut short leaves an
 * incomplete run (never restored from, deleted by the next prune), not a manifest naming missing
 * archives. With `dryRun` nothing is deleted.
 *
 * @example
 * const { decisions } = await pruneBackups({ from: 's3://backups/nightly/', keepDaily: 7, keepWeekly: 5, keepMonthly: 12, dryRun: true });
 */
export async function pruneBackups(options: PruneBackupsOptions): Promise<PruneBackupsResult> {
  return withBackupStore(options, async (store) => {
    const runs = await listBackupRuns(store, { database: options.database });
    const decisions = planPrune({ ...options, runs, now: options.now ?? new Date() });
    const doomed = decisions.filter((d) => d.action === 'delete').map((d) => d.run);
    if (options.dryRun) return { decisions, deletedRuns: 0, deletedObjects: 0, deletedBytes: 0 };
    for (const run of doomed) {
      options.s3?.signal?.throwIfAborted();
      const manifest = run.objects.filter((o) => o.key === run.path + MANIFEST_FILE).map((o) => o.key);
      await store.remove(manifest);
      await store.remove(run.objects.map((o) => o.key).filter((key) => !manifest.includes(key)));
    }
    return {
      decisions,
      deletedRuns: doomed.length,
      deletedObjects: doomed.reduce((n, r) => n + r.objects.length, 0),
      deletedBytes: doomed.reduce((n, r) => n + r.bytes, 0),
    };
  });
}
