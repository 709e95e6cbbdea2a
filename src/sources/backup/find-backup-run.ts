import { BackupRun, groupByRun, listBackupRuns, readRun } from '../../backups/backup-catalog';
import { runTime } from '../../backups/backup-layout';
import { MANIFEST_FILE } from '../../backups/backup-manifest';
import type { BackupStore, StoredObject } from '../../backups/backup-store';
import { chooseBackup, ChooseBackupOptions } from '../../backups/choose-backup';

/** The time a run's directory name says (the snapshot's, to the second). */
function namedTime(path: string): number {
  const segments = path.split('/').filter(Boolean);
  return runTime(segments[segments.length - 1])!.getTime();
}

/** The directory above a run's (its database, by the layout), or '' for runs at the root. */
function parentOf(path: string): string {
  return path.split('/').filter(Boolean).slice(0, -1).join('/');
}

/**
 * The backup a restore reads — the newest complete run at or before `at`, as {@link chooseBackup}
 * chooses it — reading as few manifests as it can: runs are tried newest first by the time in
 * their names (a run's name is its snapshot's second), so a year of nightly runs costs one
 * listing and one manifest, not 365. When none qualifies, or the location holds several databases'
 * runs, every run is read so that the error is `chooseBackup`'s (naming the oldest backup, the
 * incomplete runs, the databases).
 *
 * @example
 * const run = await findBackupRun(store, { at: new Date('2026-11-27T12:00:00Z'), schemas: ['customer_a1'], where: store.display });
 */
export async function findBackupRun(store: BackupStore, options: ChooseBackupOptions): Promise<BackupRun> {
  const objects: StoredObject[] = [];
  for await (const object of store.list()) objects.push(object);
  const runs = groupByRun(objects);
  const paths = [...runs.keys()];
  if (new Set(paths.map(parentOf)).size === 1) {
    const at = options.at?.getTime() ?? Infinity;
    const seconds = [...new Set(paths
      .filter((path) => runs.get(path)!.some((o) => o.key === path + MANIFEST_FILE) && namedTime(path) <= at)
      .map(namedTime))].sort((a, b) => b - a);
    for (const second of seconds) {
      // Runs named in the same second (`…Z`, `…Z-2`): their manifests' snapshot times order them, and may lie after `at`.
      const inSecond = await Promise.all(paths.filter((p) => namedTime(p) === second).map((p) => readRun(store, p, runs.get(p)!)));
      const fit = inSecond.filter((r) => r.complete && r.takenAt.getTime() <= at).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
      if (fit.length > 0) return chooseBackup([fit[0]], options);
    }
  }
  return chooseBackup(await listBackupRuns(store), options);
}
