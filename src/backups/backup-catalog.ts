import { text } from 'node:stream/consumers';
import { runTime } from './backup-layout';
import { MANIFEST_FILE, BackupManifest, parseManifest } from './backup-manifest';
import type { BackupStore, StoredObject } from './backup-store';
import { SchemaRestoreError } from '../errors';

/** One backup run found in a store. */
export interface BackupRun {
  /** The run's prefix relative to the store's root, ending in `/`: `app/2026-11-27T190212Z/`. */
  readonly path: string;
  /** Where it is, for people: `s3://bucket/nightly/app/2026-11-27T190212Z/`. */
  readonly display: string;
  /** The manifest's database; for an incomplete run, the directory above the run's (or undefined). */
  readonly database?: string;
  /** The snapshot's time (the restore point); for an incomplete run, the time its name says. */
  readonly takenAt: Date;
  /** Whether it has a readable manifest. Incomplete runs are listed but never restored from. */
  readonly complete: boolean;
  readonly manifest?: BackupManifest;
  /** Why an existing manifest cannot be used. */
  readonly problem?: string;
  /** Every object of the run (archives, manifest, leftovers of a failed write). */
  readonly objects: readonly StoredObject[];
  /** Bytes of every object of the run. */
  readonly bytes: number;
  /** The newest object's time: how old an incomplete run's last write is. */
  readonly lastWriteAt: Date;
}

/**
 * Group objects by the run directory they are in: the nearest enclosing directory named like a run.
 *
 * @example
 * groupByRun(objects).keys(); // 'app/2026-11-27T190212Z/', …
 */
export function groupByRun(objects: readonly StoredObject[]): Map<string, StoredObject[]> {
  const runs = new Map<string, StoredObject[]>();
  for (const object of objects) {
    const segments = object.key.split('/');
    let at = segments.length - 2;
    while (at >= 0 && runTime(segments[at]) === undefined) at--;
    if (at < 0) continue;
    const path = `${segments.slice(0, at + 1).join('/')}/`;
    runs.set(path, [...(runs.get(path) ?? []), object]);
  }
  return runs;
}

/**
 * One run as {@link listBackupRuns} lists it: its manifest read and checked (incomplete, with the
 * `problem`, when missing or damaged).
 *
 * @example
 * const run = await readRun(store, 'app/2026-11-27T190212Z/', groupByRun(objects).get('app/2026-11-27T190212Z/')!);
 */
export async function readRun(store: BackupStore, path: string, objects: StoredObject[]): Promise<BackupRun> {
  const segments = path.split('/').filter(Boolean);
  const named = runTime(segments[segments.length - 1])!;
  const base = {
    path,
    display: store.describe(path),
    objects,
    bytes: objects.reduce((sum, o) => sum + o.size, 0),
    lastWriteAt: new Date(Math.max(...objects.map((o) => o.modifiedAt.getTime()))),
  };
  const incomplete = { ...base, database: segments[segments.length - 2], takenAt: named, complete: false };
  if (!objects.some((o) => o.key === path + MANIFEST_FILE)) return incomplete;
  try {
    const manifest = parseManifest(await text(await store.read(path + MANIFEST_FILE)), store.describe(path + MANIFEST_FILE));
    return { ...base, database: manifest.database, takenAt: new Date(manifest.snapshotAt), complete: true, manifest };
  } catch (err) {
    if (!(err instanceof SchemaRestoreError) || err.code !== 'BACKUP_CORRUPT') throw err;
    return { ...incomplete, problem: err.message };
  }
}

/**
 * Every backup run under a store's root (the root may hold several databases' runs, or be one
 * database's directory), oldest first, complete or not. Each manifest is read and checked; a run
 * whose manifest is missing or damaged is listed as incomplete, with the `problem`.
 *
 * @example
 * const runs = await listBackupRuns(openBackupStore('s3://backups/nightly/'));
 * for (const run of runs) console.log(run.takenAt, run.database, run.complete);
 */
export async function listBackupRuns(store: BackupStore, options: { readonly database?: string } = {}): Promise<BackupRun[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list()) objects.push(object);
  const runs: BackupRun[] = [];
  for (const [path, inRun] of groupByRun(objects)) {
    const run = await readRun(store, path, inRun);
    if (options.database === undefined || run.database === options.database) runs.push(run);
  }
  return runs.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime() || a.path.localeCompare(b.path));
}
