import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackupLabel, parseBackupLabel } from './backup-label';

/** What a WAL archive holds, as far as one base backup is concerned. */
export interface WalArchiveContents {
  readonly path: string;
  /** Whether the directory exists at all. */
  readonly exists: boolean;
  /** Complete WAL segments (`000000010000000000000002`), in name order. */
  readonly segments: readonly string[];
  /**
   * The backup history file of this base backup (`<segment>.<offset>.backup`, archived when the
   * backup ended), parsed: it adds STOP TIME and STOP WAL LOCATION to what `backup_label` says.
   */
  readonly backupHistory?: BackupLabel;
  /** File name of {@link backupHistory}. */
  readonly backupHistoryFile?: string;
  /** Size of one segment file (set by `initdb --wal-segsize`), when the archive holds any. */
  readonly segmentBytes?: number;
}

const SEGMENT = /^[0-9A-F]{24}$/;

/**
 * List a WAL archive (a directory `archive_command` copies segments into) and find the history file
 * of the base backup that starts at `start`. Reads as the current user; whether the server's OS
 * user may read it is checked separately.
 *
 * @example
 * const wal = readWalArchive('/backups/wal', { startWalFile: '000000010000000000000002', startWalLocation: '0/2000028' });
 * wal.segments.includes('000000010000000000000002'); wal.backupHistory?.stopTime;
 */
export function readWalArchive(path: string, start: Pick<BackupLabel, 'startWalFile' | 'startWalLocation'>): WalArchiveContents {
  if (!existsSync(path) || !statSync(path).isDirectory()) return { path, exists: false, segments: [] };
  const files = readdirSync(path).sort();
  const segments = files.filter((f) => SEGMENT.test(f));
  const segmentBytes = segments.length > 0 ? statSync(join(path, segments[0])).size : undefined;
  const historyName = new RegExp(`^${start.startWalFile}\\.[0-9A-F]{8}\\.backup$`);
  for (const name of files.filter((f) => historyName.test(f))) {
    // Several backups can start in one segment; the START WAL LOCATION tells them apart.
    const history = parseBackupLabel(readFileSync(join(path, name), 'utf8'));
    if (history?.startWalLocation === start.startWalLocation) {
      return { path, exists: true, segments, segmentBytes, backupHistory: history, backupHistoryFile: name };
    }
  }
  return { path, exists: true, segments, segmentBytes };
}
