import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chownSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** Who may log in to a throwaway server over TCP (always with the password, scram-sha-256). */
export type TcpLogins = 'all-roles' | 'superuser' | 'none';

/** Options of {@link writeClusterAccess}. */
export interface ClusterAccessOptions {
  /** The role our own sessions and tools log in as. */
  readonly superuser: string;
  /**
   * Who may log in on 127.0.0.1: every role (a server we initdb'd: its roles are ours), only the
   * superuser (a base backup holds production's roles, whose passwords others may know), or nobody
   * (until the superuser has a password of ours).
   */
  readonly tcp: TcpLogins;
  /** The server's OS user, which must own the files (we may be root). */
  readonly owner?: { uid: number; gid: number };
}

/** Name of the pg_ident.conf map that lets only the restoring OS user in through the socket. */
export const RESTORE_IDENT_MAP = 'pgsr_restore';

/** A pg_hba.conf / pg_ident.conf token: quoted, so a name such as `all` or `Admin User` means itself. */
function hbaToken(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The OS user running this restore: peer logins through the Unix socket are admitted for it alone.
 *
 * @example
 * restoringOsUserName(); // 'root'
 */
export function restoringOsUserName(): string {
  return userInfo().username;
}

/**
 * Write `pg_hba.conf` and `pg_ident.conf` of a throwaway server: no `trust` anywhere; the Unix
 * socket admits only the OS user running the restore, as the superuser (`peer` with a map); TCP on
 * loopback needs the password (scram-sha-256). Nothing else is listed, so everything else is refused.
 *
 * @example
 * writeClusterAccess(dataDir, { superuser: 'postgres', tcp: 'all-roles' });
 */
export function writeClusterAccess(dataDir: string, options: ClusterAccessOptions): void {
  const header = '# pg-schema-restore throwaway cluster: only this restore logs in';
  const superuser = hbaToken(options.superuser);
  const hba = [`local all ${superuser} peer map=${RESTORE_IDENT_MAP}`];
  if (options.tcp !== 'none') hba.push(`host all ${options.tcp === 'all-roles' ? 'all' : superuser} 127.0.0.1/32 scram-sha-256`);
  // pg_basebackup of a server we initdb'd (tests and the demo take backups of their "production").
  if (options.tcp === 'all-roles') hba.push(`host replication ${superuser} 127.0.0.1/32 scram-sha-256`);
  const files: Array<[string, string]> = [
    ['pg_hba.conf', hba.join('\n')],
    ['pg_ident.conf', `${RESTORE_IDENT_MAP} ${hbaToken(restoringOsUserName())} ${superuser}`],
  ];
  for (const [name, text] of files) {
    const path = join(dataDir, name);
    writeFileSync(path, `${header}\n${text}\n`, { mode: 0o600 });
    if (options.owner) chownSync(path, options.owner.uid, options.owner.gid);
  }
}

/**
 * A random password for a throwaway server: 32 letters and digits (no character a URL, a
 * connection string or SASLprep would treat specially).
 *
 * @example
 * randomPassword(); // 'q3ZL0x…'
 */
export function randomPassword(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  // 248 = 4 × 62: dropping bytes above it keeps every character equally likely.
  for (const b of bytes) if (b < 248 && out.length < length) out += alphabet[b % 62];
  return out.length === length ? out : out + randomPassword(length - out.length);
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (`pg_authid.rolpassword`), computed
 * here so that `ALTER ROLE … PASSWORD` never sends (nor the server ever logs) the password itself.
 *
 * @example
 * scramVerifier('s3cret'); // 'SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>'
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
