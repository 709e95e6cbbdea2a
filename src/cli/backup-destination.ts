import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseS3Uri } from '../aws/s3-object';
import { SchemaRestoreError } from '../errors';

/**
 * Before connecting anywhere: can this user create the backup under a local `--to`? The directory
 * (or its nearest existing parent, where the missing ones will be created) must be a directory
 * this user may write to. Throws BACKUP_WRITE_FAILED saying what to change. An `s3://` location is
 * checked by its first write (only S3 can tell whether a PutObject is allowed).
 *
 * @example
 * await checkBackupDestination('/var/backups/pgsr/'); // resolves, or BACKUP_WRITE_FAILED
 */
export async function checkBackupDestination(to: string): Promise<void> {
  if (parseS3Uri(to)) return;
  let dir = resolve(to);
  for (;;) {
    const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw cannotWrite(dir, err.message);
    });
    if (info) {
      if (!info.isDirectory()) throw cannotWrite(dir, 'it is a file, not a directory; choose a directory for --to');
      break;
    }
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  // Creating an entry in a directory needs write and search (x) permission on it.
  await access(dir, constants.W_OK + constants.X_OK).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied; let this user write there, or choose another --to'
      : err.code === 'EROFS' ? 'read-only file system; choose another --to' : err.message;
    throw cannotWrite(dir, why);
  });
}

function cannotWrite(path: string, why: string): SchemaRestoreError {
  return new SchemaRestoreError('BACKUP_WRITE_FAILED', `cannot write backups under ${path}: ${why}`);
}
