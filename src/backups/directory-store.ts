import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupStore, StoredObject, WrittenObject } from './backup-store';
import { isSafeKey } from './backup-store';
import { SchemaRestoreError } from '../errors';

/** Suffix of a file being written; it becomes its key by a rename once complete. */
export const PARTIAL_SUFFIX = '.partial';

/** The path of a key (or of a prefix: a key ending in `/`). */
function pathOf(root: string, key: string): string {
  key = key.replace(/\/$/, '');
  if (key === '') return root;
  // Invariant: keys are built by this library or checked by the catalog before use.
  if (!isSafeKey(key)) throw new SchemaRestoreError('BACKUP_CORRUPT', `refusing the key ${JSON.stringify(key)}: it leaves the backup directory`);
  return join(root, ...key.split('/'));
}

function writeFailed(err: unknown, path: string): SchemaRestoreError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied; let this user write there, or choose another --to'
    : code === 'ENOSPC' ? 'no space left on the device; free space or choose another --to'
      : (err as Error).message;
  return new SchemaRestoreError('BACKUP_WRITE_FAILED', `cannot write ${path}: ${why}`, { cause: err });
}

async function* walk(root: string, dir: string, prefix: string): AsyncGenerator<StoredObject> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    // Nothing there, or a file where a directory would be: no objects (a write there says why it fails).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      yield* walk(root, join(dir, entry.name), key);
    } else if (entry.isFile()) {
      const info = await stat(join(dir, entry.name));
      yield { key, size: info.size, modifiedAt: info.mtime };
    }
  }
}

/**
 * A backup store in a local directory (on-premises users, mounted volumes). Directories it creates
 * are 0700 and files 0600: a backup is the tenants' data. A file is written as `<name>.partial` and
 * renamed when complete, so a crash leaves only `.partial` files, which no reader takes for a backup.
 *
 * @example
 * const store = openDirectoryStore('/var/backups/pgsr');
 */
export function openDirectoryStore(directory: string): BackupStore {
  const root = resolve(directory);
  const display = root.endsWith('/') ? root : `${root}/`;
  return {
    display,
    describe: (key) => pathOf(root, key) + (key.endsWith('/') ? '/' : ''),
    list: (prefix = '') => walk(root, pathOf(root, prefix), prefix.replace(/\/$/, '')),
    read: async (key) => {
      const path = pathOf(root, key);
      await stat(path);
      return createReadStream(path);
    },
    write: async (key, body, signal): Promise<WrittenObject> => {
      const path = pathOf(root, key);
      const partial = path + PARTIAL_SUFFIX;
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
        await pipeline(source, createWriteStream(partial, { mode: 0o600 }), { signal });
        await rename(partial, path);
        return { key, size: (await stat(path)).size };
      } catch (err) {
        await rm(partial, { force: true }).catch(() => undefined);
        if (signal?.aborted || (err as Error).name === 'AbortError') throw err;
        throw err instanceof SchemaRestoreError ? err : writeFailed(err, path);
      }
    },
    remove: async (keys) => {
      for (const key of keys) await rm(pathOf(root, key), { force: true });
      // Leave no empty run directories behind (a directory that still holds files stays).
      for (const dir of new Set(keys.map((k) => dirname(pathOf(root, k))))) {
        for (let d = dir; d.startsWith(root) && d !== root; d = dirname(d)) {
          if ((await readdir(d).catch(() => ['?'])).length > 0) break;
          await rmdir(d).catch(() => undefined);
        }
      }
    },
    close: () => undefined,
  };
}
