import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseS3Uri, S3AccessOptions } from '../../aws/s3-object';
import { runTime } from '../../backups/backup-layout';
import { MANIFEST_FILE } from '../../backups/backup-manifest';
import { openBackupStore } from '../../backups/backup-store';
import type { BackupSource, DumpSource } from '../restore-source';

/** `…/<run>/manifest.json`: a key or path of a backup run's manifest. */
function isRunManifest(key: string): boolean {
  const segments = key.split('/');
  return segments.length >= 2 && segments[segments.length - 1] === MANIFEST_FILE && runTime(segments[segments.length - 2]) !== undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether a path is a directory but not a pg_dump directory archive (no `toc.dat`): a place for
 * backup runs, whether or not it holds any yet.
 *
 * @example
 * isPlainDirectory('/backups/app'); // true
 */
export function isPlainDirectory(path: string): boolean {
  return isDirectory(path) && !existsSync(join(path, 'toc.dat'));
}

/**
 * Whether a local directory holds backup runs written by `backupDatabase`: a `<time>/manifest.json`
 * in it or one level down (`<database>/<time>/manifest.json`). A pg_dump directory archive (with
 * `toc.dat`) is not one.
 *
 * @example
 * holdsBackupRuns('/backups/app'); // true when /backups/app/2026-11-27T190212Z/manifest.json exists
 */
export function holdsBackupRuns(path: string): boolean {
  if (!isPlainDirectory(path)) return false;
  const runsIn = (dir: string): boolean => readdirSync(dir).some((name) => runTime(name) !== undefined && existsSync(join(dir, name, MANIFEST_FILE)));
  try {
    return runsIn(path) || readdirSync(path).some((name) => isDirectory(join(path, name)) && runsIn(join(path, name)));
  } catch {
    return false;
  }
}

/**
 * A dump source that is really a location of backup runs — an `s3://bucket/prefix/` under which a
 * `<time>/manifest.json` exists, or a local directory that {@link holdsBackupRuns} — as a backup
 * source; undefined for an archive, or a prefix holding only plain archives (which keeps meaning
 * "the newest object under it"). Lists the prefix until the first manifest; a prefix that cannot
 * be listed is left to the dump source, whose errors name the problem.
 *
 * @example
 * await asBackupSource({ kind: 'dump', path: 's3://backups/nightly/app/' }); // { kind: 'backup', location: 's3://backups/nightly/app/' }
 */
export async function asBackupSource(source: DumpSource, options: S3AccessOptions = {}): Promise<BackupSource | undefined> {
  const s3 = parseS3Uri(source.path);
  if (!s3) return holdsBackupRuns(source.path) ? { kind: 'backup', location: source.path } : undefined;
  if (s3.key !== '' && !s3.key.endsWith('/')) return undefined;
  const store = openBackupStore(source.path, options);
  try {
    for await (const object of store.list()) if (isRunManifest(object.key)) return { kind: 'backup', location: source.path };
    return undefined;
  } catch {
    // Not readable as a store: reading it as an archive gives the error (bucket missing, access denied).
    return undefined;
  } finally {
    store.close();
  }
}
