import { CliDeps } from './cli-deps';
import { connectionPassword } from '../connection/describe-connection';

/** What the CLI says when a password arrives on its command line. */
export const ARGV_PASSWORD_WARNING = 'a password on the command line is visible to other local users in ps; ' +
  'use ~/.pgpass, a service file, PGPASSWORD or the prompt';

/**
 * Warn once, on stderr, when a connection option (`--source`, `--target`) carries a password (in a
 * URL or as `password=`): every local user can read a command line. Quiet runs (`-q`) stay silent.
 * Returns whether it warned.
 *
 * @example
 * warnPasswordInArgv(['postgres://app:s3cret@db/past', 'service=live'], deps); // true: one warning line
 */
export function warnPasswordInArgv(connections: ReadonlyArray<unknown>, deps: Pick<CliDeps, 'stderr' | 'verbosity'>): boolean {
  const exposed = connections.some((c) => typeof c === 'string' && connectionPassword(c) !== undefined);
  if (exposed && deps.verbosity !== 'quiet') deps.stderr.write(`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}\n`);
  return exposed && deps.verbosity !== 'quiet';
}
