import { existsSync, lstatSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BaseBackupLayout, tarCompressionArgs } from './base-backup-layout';
import { runTool } from '../../run-tool';

/** Options of {@link extractBaseBackup}. */
export interface ExtractBaseBackupOptions {
  /** Stops the copy or extraction; the caller removes the partial data directory. */
  readonly signal?: AbortSignal;
}

async function untar(file: string, into: string, signal?: AbortSignal): Promise<void> {
  mkdirSync(into, { recursive: true, mode: 0o700 });
  await runTool('tar', ['-x', ...tarCompressionArgs(file), '-f', file, '-C', into, '--no-same-owner'], { signal });
}

/**
 * Fill an empty data directory from a base backup, leaving the backup untouched: a plain backup is
 * copied (`cp -a`), a tar backup extracted with the system `tar` (`base.tar*` into the data
 * directory, `pg_wal.tar*` into its `pg_wal`).
 *
 * @example
 * await extractBaseBackup(detectBaseBackupLayout('/backups/base'), '/tmp/pgsr-cluster-x/data');
 */
export async function extractBaseBackup(layout: BaseBackupLayout, dataDir: string, options: ExtractBaseBackupOptions = {}): Promise<void> {
  const { signal } = options;
  if (layout.format === 'tar') {
    await untar(layout.baseTar!, dataDir, signal);
    if (layout.walTar) await untar(layout.walTar, join(dataDir, 'pg_wal'), signal);
    return;
  }
  await runTool('cp', ['-a', '--', `${layout.path}/.`, dataDir], { signal });
  const wal = join(dataDir, 'pg_wal');
  // A backup of a server with a separate WAL directory (initdb --waldir) links to it: the recovery
  // must write into a copy, not into that directory.
  if (lstatSync(wal, { throwIfNoEntry: false })?.isSymbolicLink()) {
    const target = existsSync(wal) ? realpathSync(wal) : undefined; // dangling: the archive must supply the WAL
    rmSync(wal);
    mkdirSync(wal, { mode: 0o700 });
    if (target) await runTool('cp', ['-a', '--', `${target}/.`, wal], { signal });
  }
}
