import { execFileSync } from 'node:child_process';
import { ToolError } from '../errors';

/** uid/gid of the `postgres` OS user when running as root; undefined otherwise. */
export function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new ToolError('running as root, but there is no "postgres" OS user to run PostgreSQL as; create one (useradd --system postgres) or run as an ordinary user');
  }
}
