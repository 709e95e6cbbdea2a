import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { BackupLabel, parseBackupLabel } from './backup-label';
import { BaseBackupLayout, backupHoldsWal, detectBaseBackupLayout, readBackupFile, TarCompression } from './base-backup-layout';
import { checkDirectoryReadable } from './check-readable';
import { baseBackupInvalidError, RecoveryFacts, targetBeforeBackupError, unreadableError, walMissingError } from './recovery-errors';
import { PitrSource } from '../restore-source';
import { readWalArchive } from './wal-archive';
import { firstWalGap } from './wal-gaps';
import { AbortedError, InvalidInputError } from '../../errors';
import { postgresOsUser } from '../../local/postgres-os-user';
import type { Abortable } from '../../run-options';

/** What a base backup and its WAL archive hold, checked against the recovery target. */
export interface BaseBackupInfo extends RecoveryFacts, Omit<BackupLabel, 'startTime' | 'stopTime'> {
  readonly layout: BaseBackupLayout;
  readonly format: 'plain' | 'tar';
  readonly compression?: TarCompression;
  /** PostgreSQL major version of the backed-up server (`PG_VERSION`). */
  readonly major: number;
  /** Complete WAL segments in the archive. */
  readonly walSegmentsInArchive: number;
  /** The archive's backup history file of this backup, which told the STOP TIME. */
  readonly backupHistoryFile?: string;
  /** Where the segment replay starts from comes from. */
  readonly startWalFrom: 'archive' | 'base backup';
}

/** Options of {@link inspectBaseBackup}. */
export interface InspectBaseBackupOptions extends Abortable {
  /**
   * OS user the recovering server (and its `restore_command`) runs as, to check it can read the WAL
   * archive. @default the `postgres` OS user when we are root, the current user otherwise
   */
  readonly serverOsUser?: { uid: number; gid: number; name: string };
}

function serverUser(options: InspectBaseBackupOptions): { uid: number; gid: number; name: string } | undefined {
  if (options.serverOsUser) return options.serverOsUser;
  const osUser = postgresOsUser();
  return osUser && { ...osUser, name: 'postgres' };
}

/**
 * Read what a point-in-time recovery would use, without creating anything (for `--dry-run`): the
 * backup's format, PostgreSQL version, start (and, from the archive's history file, stop) time and
 * WAL position, and the archive's segments. Throws the {@link InvalidInputError} the recovery would
 * meet: `BASE_BACKUP_INVALID`, `UNREADABLE`, `WAL_MISSING`, `TARGET_BEFORE_BACKUP`.
 *
 * @example
 * const info = await inspectBaseBackup({ kind: 'pitr', baseBackup: '/backups/base', walArchive: '/backups/wal', targetTime: new Date('2024-01-28T14:30:00Z') });
 * console.log(info.format, info.major, info.startTime, info.stopTime, info.walSegmentsInArchive);
 */
export async function inspectBaseBackup(source: PitrSource, options: InspectBaseBackupOptions = {}): Promise<BaseBackupInfo> {
  const { baseBackup, walArchive, targetTime } = source;
  const { signal } = options;
  if (!(targetTime instanceof Date) || Number.isNaN(targetTime.getTime())) {
    throw new InvalidInputError('the recovery target time is not a valid date; pass targetTime as a Date (--at 2024-01-28T14:30:00Z)');
  }
  if (existsSync(baseBackup) && !(await checkDirectoryReadable(baseBackup))) {
    throw unreadableError('the base backup', baseBackup, userInfo().username, 'copies it');
  }
  const layout = detectBaseBackupLayout(baseBackup);
  const version = await readBackupFile(layout, 'PG_VERSION', signal);
  const labelText = await readBackupFile(layout, 'backup_label', signal);
  if (signal?.aborted) throw new AbortedError();
  const major = Number(version?.trim());
  if (!Number.isInteger(major) || major <= 0) throw baseBackupInvalidError(baseBackup, 'PG_VERSION is missing or unreadable');
  const label = labelText === undefined ? undefined : parseBackupLabel(labelText);
  if (!label) throw baseBackupInvalidError(baseBackup, 'backup_label is missing or has no START WAL LOCATION');
  if (major < 12) throw baseBackupInvalidError(baseBackup, `it is PostgreSQL ${major}; recovering needs PostgreSQL 12 or newer (recovery.signal)`);

  const labelFacts: RecoveryFacts = { baseBackup, walArchive, targetTime, startWalFile: label.startWalFile, startTime: label.startTime };
  if (!existsSync(walArchive) || !statSync(walArchive).isDirectory()) throw walMissingError(labelFacts, false);
  const osUser = serverUser(options);
  if (!(await checkDirectoryReadable(walArchive, { osUser }))) {
    throw unreadableError('the WAL archive', walArchive, osUser?.name ?? userInfo().username, 'runs the recovery (its restore_command copies from there)');
  }
  const wal = readWalArchive(walArchive, label);
  const history = wal.backupHistory;
  const walGap = firstWalGap({ segments: wal.segments, from: label.startWalFile, segmentBytes: wal.segmentBytes });
  const facts: RecoveryFacts = {
    ...labelFacts, startTime: label.startTime ?? history?.startTime, stopTime: history?.stopTime, ...(walGap ? { walGap } : {}),
  };
  // Times in labels are whole seconds: only a target before the truncated time is surely too early.
  if ((facts.startTime && targetTime < facts.startTime) || (facts.stopTime && targetTime < facts.stopTime)) throw targetBeforeBackupError(facts);
  const inArchive = wal.segments.includes(label.startWalFile);
  if (!inArchive && !(await backupHoldsWal(layout, label.startWalFile, signal))) {
    if (signal?.aborted) throw new AbortedError();
    throw walMissingError(facts, true);
  }
  return {
    ...label,
    ...facts,
    stopWalLocation: history?.stopWalLocation,
    layout,
    format: layout.format,
    compression: layout.compression,
    major,
    walSegmentsInArchive: wal.segments.length,
    backupHistoryFile: wal.backupHistoryFile,
    startWalFrom: inArchive ? 'archive' : 'base backup',
  };
}
