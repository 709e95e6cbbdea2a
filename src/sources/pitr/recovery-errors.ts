import { WalGap } from './wal-gaps';
import { ErrorCode, InvalidInputError } from '../../errors';
import { formatInstant } from '../../format-units';

/** `code`s of the {@link InvalidInputError}s a point-in-time recovery throws for bad input. */
export const RECOVERY_ERROR_CODES = {
  /** The base backup directory is missing or is not a base backup. */
  baseBackupInvalid: 'BASE_BACKUP_INVALID',
  /** The WAL archive is missing, or lacks WAL the base backup needs. */
  walMissing: 'WAL_MISSING',
  /** The recovery target lies before the base backup finished. */
  targetBeforeBackup: 'TARGET_BEFORE_BACKUP',
  /** The WAL archive ends before the recovery target. */
  targetBeyondWal: 'TARGET_BEYOND_WAL',
  /** A segment is missing from the middle of the WAL archive, before the recovery target. */
  walGap: 'WAL_GAP',
  /** A directory cannot be read by the OS user that reads it. */
  unreadable: 'UNREADABLE',
} as const satisfies Record<string, ErrorCode>;

/** What the messages say about the recovery being attempted. */
export interface RecoveryFacts {
  readonly baseBackup: string;
  readonly walArchive: string;
  readonly targetTime: Date;
  readonly startWalFile: string;
  readonly startTime?: Date;
  readonly stopTime?: Date;
  /** The first segment missing from the middle of the archive, if any: replay stops there. */
  readonly walGap?: WalGap;
}

/** `the base backup of 2024-01-28T14:00:05Z` when its start time is known, its path otherwise. */
export function describeBackup(facts: Pick<RecoveryFacts, 'baseBackup' | 'startTime'>): string {
  return facts.startTime ? `the base backup of ${formatInstant(facts.startTime)}` : `the base backup ${facts.baseBackup}`;
}

/** The base backup directory is missing or holds no base backup. */
export function baseBackupInvalidError(path: string, problem: string): InvalidInputError {
  return new InvalidInputError(`${path} is not a usable base backup (${problem}); point it at a directory written by pg_basebackup -D ` +
    '(plain format: PG_VERSION and backup_label; tar format: base.tar[.gz|.lz4|.zst])', { code: RECOVERY_ERROR_CODES.baseBackupInvalid });
}

/** The archive does not exist, or neither it nor the backup holds the segment replay starts from. */
export function walMissingError(facts: RecoveryFacts, archiveExists: boolean): InvalidInputError {
  const problem = archiveExists ? `does not hold ${facts.startWalFile}` : `does not exist, so it cannot hold ${facts.startWalFile}`;
  return new InvalidInputError(`the WAL archive ${facts.walArchive} ${problem}, which ${describeBackup(facts)} starts from; ` +
    'point wal= at the archive of that server, or take the base backup with -X stream', { code: RECOVERY_ERROR_CODES.walMissing });
}

/** The recovery target lies before the backup's end (or start, when the end is not known). */
export function targetBeforeBackupError(facts: RecoveryFacts): InvalidInputError {
  const target = formatInstant(facts.targetTime);
  const after = facts.stopTime ? formatInstant(facts.stopTime) : undefined;
  const taken = after && facts.startTime ? `was taken from ${formatInstant(facts.startTime)} to ${after}`
    : facts.startTime ? `was started at ${formatInstant(facts.startTime)} and became consistent only later` : 'became consistent only after it';
  return new InvalidInputError(`cannot recover to ${target}: ${describeBackup(facts)} (${facts.baseBackup}) ${taken}; ` +
    `choose --at after ${after ?? 'the backup finished'} or an older base backup`, { code: RECOVERY_ERROR_CODES.targetBeforeBackup });
}

/** Replay stopped at a segment missing from the middle of the archive, before the target or before the backup was consistent. */
export function walGapError(facts: RecoveryFacts & { walGap: WalGap }, before: string): InvalidInputError {
  const { missing, before: previous, after } = facts.walGap;
  return new InvalidInputError(`the WAL archive ${facts.walArchive} lacks the segment ${missing} (it holds ${previous} before it and ${after} after it), ` +
    `so replay stops there, before ${before}; copy ${missing} into the archive (from another copy of it, or the server's pg_wal if it is still there), ` +
    'or choose an earlier --at', { code: RECOVERY_ERROR_CODES.walGap });
}

/** Replay reached the end of the archive (or a hole in it) before a transaction committed after the target. */
export function targetBeyondWalError(facts: RecoveryFacts, lastTransaction?: string): InvalidInputError {
  if (facts.walGap) return walGapError({ ...facts, walGap: facts.walGap }, formatInstant(facts.targetTime));
  const last = lastTransaction ? `the last archived transaction is from ${lastTransaction}` : 'the last archived transaction is earlier';
  return new InvalidInputError(`the WAL archive ${facts.walArchive} ends before ${formatInstant(facts.targetTime)}: ${last}; ` +
    'choose an earlier --at, or archive the current WAL (SELECT pg_switch_wal()) and retry', { code: RECOVERY_ERROR_CODES.targetBeyondWal });
}

/** A directory the recovery reads cannot be read by the OS user that reads it. */
export function unreadableError(what: string, path: string, osUserName: string, role: string): InvalidInputError {
  return new InvalidInputError(`${what} ${path} is not readable by OS user ${osUserName}, which ${role}; ` +
    `chmod/chown it (e.g. chmod -R o+rX ${path}, or chown -R ${osUserName} ${path}) and retry`, { code: RECOVERY_ERROR_CODES.unreadable });
}

/**
 * Turn the server log of a recovery that stopped into the input error it reveals, or undefined
 * when the log shows no known cause (the caller then reports the log's last lines).
 *
 * @example
 * explainRecoveryLog('FATAL:  recovery ended before configured recovery target was reached', facts)?.code; // 'TARGET_BEYOND_WAL'
 */
export function explainRecoveryLog(log: string, facts: RecoveryFacts): InvalidInputError | undefined {
  if (/recovery ended before configured recovery target was reached/.test(log)) return targetBeyondWalError(facts, lastReplayedTransaction(log));
  if (/requested recovery stop point is before consistent recovery point/.test(log)) return targetBeforeBackupError(facts);
  if (/WAL ends before (end of online backup|consistent recovery point)|could not locate required checkpoint record|could not find redo location/.test(log)) {
    if (facts.walGap) return walGapError({ ...facts, walGap: facts.walGap }, `${describeBackup(facts)} is consistent`);
    return new InvalidInputError(`the WAL archive ${facts.walArchive} lacks WAL that ${describeBackup(facts)} needs to become consistent ` +
      `(from ${facts.startWalFile} on); point wal= at the archive of that server, or take the base backup with -X stream`,
    { code: RECOVERY_ERROR_CODES.walMissing });
  }
  return undefined;
}

/** `last completed transaction was at log time 2024-01-28 14:20:01.123456+00` → `2024-01-28T14:20:01.123Z`. */
function lastReplayedTransaction(log: string): string | undefined {
  const last = /last completed transaction was at log time (\S+ \S+)/.exec(log)?.[1];
  const time = last ? new Date(last.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')) : undefined;
  return time && !Number.isNaN(time.getTime()) ? formatInstant(time) : undefined;
}

/**
 * The error for a server that promoted itself without reaching the target: PostgreSQL 12 ends
 * recovery at the end of the archive silently (13 and newer stop with a FATAL instead). Undefined
 * when the log shows replay stopping at the target.
 *
 * @example
 * checkTargetReached(serverLog, facts); // undefined after "recovery stopping before commit of transaction 725, time …"
 */
export function checkTargetReached(log: string, facts: RecoveryFacts): InvalidInputError | undefined {
  return /recovery stopping (before|after) /.test(log) ? undefined : targetBeyondWalError(facts, lastReplayedTransaction(log));
}
