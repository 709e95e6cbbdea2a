import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { baseBackupInvalidError } from './recovery-errors';
import { runTool } from '../../run-tool';

/** How a tar-format base backup is compressed (`pg_basebackup -Ft -z`, `--compress=lz4|zstd`). */
export type TarCompression = 'none' | 'gzip' | 'lz4' | 'zstd';

/** Where the parts of a base backup are. */
export interface BaseBackupLayout {
  /** The directory written by `pg_basebackup -D`. */
  readonly path: string;
  /** `plain`: a data directory; `tar`: `base.tar[.*]` and, with `-X stream`, `pg_wal.tar[.*]`. */
  readonly format: 'plain' | 'tar';
  /** tar format: the archive of the data directory. */
  readonly baseTar?: string;
  /** tar format with `-X stream`: the archive of `pg_wal`. */
  readonly walTar?: string;
  readonly compression?: TarCompression;
}

const COMPRESSIONS: ReadonlyArray<[suffix: string, compression: TarCompression]> = [
  ['', 'none'], ['.gz', 'gzip'], ['.lz4', 'lz4'], ['.zst', 'zstd'],
];

/**
 * `tar` options that decompress a file by its name: `-z` for gzip, `-I lz4` / `-I zstd` (tar adds
 * `-d` itself), nothing for a plain tar.
 *
 * @example
 * tarCompressionArgs('/backups/base/base.tar.zst'); // ['-I', 'zstd']
 */
export function tarCompressionArgs(file: string): string[] {
  if (file.endsWith('.gz')) return ['-z'];
  if (file.endsWith('.lz4')) return ['-I', 'lz4'];
  if (file.endsWith('.zst')) return ['-I', 'zstd'];
  return [];
}

function findTar(dir: string, stem: string): { file: string; compression: TarCompression } | undefined {
  for (const [suffix, compression] of COMPRESSIONS) {
    const file = join(dir, `${stem}.tar${suffix}`);
    if (existsSync(file)) return { file, compression };
  }
  return undefined;
}

/**
 * Recognise a base backup's format from its files, reading nothing else. Throws
 * `BASE_BACKUP_INVALID` when the directory is missing, holds no base backup, or has tablespaces
 * (their files live outside the backup directory, where a recovery must not write).
 *
 * @example
 * detectBaseBackupLayout('/backups/base'); // { path: '/backups/base', format: 'tar', baseTar: '/backups/base/base.tar.gz', ... }
 */
export function detectBaseBackupLayout(path: string): BaseBackupLayout {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw baseBackupInvalidError(path, 'no such directory');
  const entries = readdirSync(path);
  if (entries.includes('PG_VERSION') && entries.includes('backup_label')) {
    const tablespaces = existsSync(join(path, 'pg_tblspc')) ? readdirSync(join(path, 'pg_tblspc')) : [];
    if (tablespaces.length > 0) throw baseBackupInvalidError(path, `it has tablespaces (pg_tblspc/${tablespaces[0]}), which this recovery does not support`);
    return { path, format: 'plain' };
  }
  const base = findTar(path, 'base');
  if (!base) {
    const problem = entries.includes('PG_VERSION') ? 'a data directory without backup_label: not taken with pg_basebackup' : 'neither PG_VERSION + backup_label nor base.tar';
    throw baseBackupInvalidError(path, problem);
  }
  const tablespace = entries.find((e) => /^\d+\.tar(\.gz|\.lz4|\.zst)?$/.test(e));
  if (tablespace) throw baseBackupInvalidError(path, `it has tablespaces (${tablespace}), which this recovery does not support`);
  return { path, format: 'tar', baseTar: base.file, walTar: findTar(path, 'pg_wal')?.file, compression: base.compression };
}

/**
 * The text of one file of the backed-up data directory (`backup_label`, `PG_VERSION`), or undefined
 * when it has none. Tar archives are read with `tar -xO --occurrence`, which stops at the first copy.
 *
 * @example
 * await readBackupFile(layout, 'backup_label');
 */
export async function readBackupFile(layout: BaseBackupLayout, name: string, signal?: AbortSignal): Promise<string | undefined> {
  if (layout.format === 'plain') {
    const file = join(layout.path, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }
  const args = ['-xO', ...tarCompressionArgs(layout.baseTar!), '-f', layout.baseTar!, '--occurrence=1', name];
  try {
    return (await runTool('tar', args, { signal })).stdout;
  } catch {
    return undefined; // not in the archive (or not a tar): the caller names what is missing
  }
}

/**
 * Whether the backup itself holds a WAL segment: in `pg_wal/` (plain), in `pg_wal.tar` (`-X stream`)
 * or under `pg_wal/` in `base.tar` (`-X fetch`).
 *
 * @example
 * await backupHoldsWal(layout, '000000010000000000000002'); // true for pg_basebackup -X stream
 */
export async function backupHoldsWal(layout: BaseBackupLayout, segment: string, signal?: AbortSignal): Promise<boolean> {
  if (layout.format === 'plain') return existsSync(join(layout.path, 'pg_wal', segment));
  const listed = async (tar: string, member: string): Promise<boolean> =>
    runTool('tar', ['-t', ...tarCompressionArgs(tar), '-f', tar, '--occurrence=1', member], { signal }).then(() => true, () => false);
  return (layout.walTar !== undefined && await listed(layout.walTar, segment)) || listed(layout.baseTar!, `pg_wal/${segment}`);
}
