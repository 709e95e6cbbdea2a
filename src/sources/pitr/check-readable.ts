import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { ToolError } from '../../errors';

/** Options of {@link checkDirectoryReadable}. */
export interface CheckDirectoryReadableOptions {
  /**
   * OS user that will read the directory (the server's, when we run as root); the current user
   * when undefined.
   */
  readonly osUser?: { uid: number; gid: number };
}

/**
 * Whether a directory can be listed and its files opened by an OS user. For another user the check
 * runs `test -r DIR -a -x DIR` as that user, because root's own access says nothing about it.
 *
 * @example
 * await checkDirectoryReadable('/backups/wal', { osUser: postgresOsUser() }); // false if only root may read it
 */
export async function checkDirectoryReadable(path: string, options: CheckDirectoryReadableOptions = {}): Promise<boolean> {
  const { osUser } = options;
  if (!osUser) return Promise.all([access(path, constants.R_OK), access(path, constants.X_OK)]).then(() => true, () => false);
  return new Promise((resolve, reject) => {
    const child = spawn('test', ['-r', path, '-a', '-x', path], { uid: osUser.uid, gid: osUser.gid, stdio: 'ignore' });
    child.on('error', (err) => reject(new ToolError(`cannot run "test" as uid ${osUser.uid} to check ${path}: ${err.message}; check that coreutils is installed`, { cause: err })));
    child.on('close', (code) => resolve(code === 0));
  });
}
