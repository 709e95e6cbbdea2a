import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ManifestSchema } from '../../backups/backup-manifest';
import type { BackupStore } from '../../backups/backup-store';
import { SchemaRestoreError } from '../../errors';
import { heldWhole } from '../dump/archive-head';
import type { ArchiveLocation } from '../dump/dump-archive-location';
import type { DumpArchive } from '../dump/open-dump-archive';

/** A schema's archive in a backup run, read as pg_restore reads a streamed custom-format archive. */
export interface StoredArchive {
  /** For pg_restore (`runPgRestore`, `loadDumpArchive`): every `location.open()` reads the object afresh. */
  readonly archive: DumpArchive;
  /**
   * After pg_restore has read what it needed from the last `open()`: read the rest of those bytes
   * and check their size and SHA-256 against the manifest; `BACKUP_CORRUPT` when they differ.
   */
  verify(): Promise<void>;
}

/**
 * `BACKUP_CORRUPT`: the bytes stored are not those the backup wrote.
 *
 * @example
 * throw archiveDamaged('s3://backups/nightly/app/2026-11-27T190212Z/customer_a1.dump', 'its sha256');
 */
export function archiveDamaged(where: string, what: string): SchemaRestoreError {
  return new SchemaRestoreError('BACKUP_CORRUPT', `${where}: ${what} differs from the manifest: the archive is damaged; use another backup (\`backup list\`)`);
}

/** The object is not there: a file (ENOENT) or an S3 key (explained as ARCHIVE_NOT_FOUND). */
function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err instanceof SchemaRestoreError && err.code === 'ARCHIVE_NOT_FOUND');
}

/**
 * A backup's archive of one schema as a `DumpArchive` streamed from the store (S3 object or file),
 * hashed as it goes by: every chunk read from the store is counted once, whether pg_restore
 * consumed it or stopped early (`verify()` reads what it left). Passes for the table of contents
 * read only the start (`archive.location.readHead`, S3); a start that held the whole archive is
 * hashed from memory. Nothing is written to disk.
 *
 * @example
 * const stored = storedArchive(store, run.path, manifestSchema);
 * await loadDumpArchive(stored.archive, { binaries, database, workDir });
 * await stored.verify(); // BACKUP_CORRUPT before anything is read from the loaded database
 */
export function storedArchive(store: BackupStore, runPath: string, schema: ManifestSchema): StoredArchive {
  const key = runPath + schema.archive;
  const display = store.describe(key);
  let last: { source: Readable; hash: ReturnType<typeof createHash>; bytes: number } | undefined;
  const missing = (err: unknown): never => {
    throw isMissing(err) ? new SchemaRestoreError('BACKUP_CORRUPT', `${display} is missing: the backup run is damaged; use another backup (\`backup list\`)`, { cause: err }) : err;
  };
  const open = async (): Promise<Readable> => {
    // A new read supersedes the last (pg_restore read what it needed of it): stop fetching its rest.
    if (last && !last.source.readableEnded) last.source.destroy();
    // A small archive a pass for its table of contents held whole is hashed from memory, not fetched again.
    const held = heldWhole(location);
    const source = held ? Readable.from([held]) : await store.read(key).catch(missing);
    const read = { source, hash: createHash('sha256'), bytes: 0 };
    last = read;
    const body = new PassThrough();
    source.on('data', (chunk: Buffer) => {
      read.hash.update(chunk);
      read.bytes += chunk.length;
    });
    source.on('error', (err) => body.destroy(err));
    source.pipe(body);
    return body;
  };
  const readHead = store.readHead?.bind(store);
  const location: ArchiveLocation = {
    display,
    isDirectory: false,
    size: schema.bytes,
    modifiedAt: new Date(0),
    head: Buffer.alloc(0),
    open,
    close: () => undefined,
    ...readHead ? { readHead: (bytes: number) => readHead(key, bytes).catch(missing) } : {},
  };
  return {
    archive: { format: 'custom', gzip: false, seekable: false, location },
    verify: async () => {
      // Only the start was read (a pass for the table of contents failed): read it all to tell whether it is damaged.
      if (!last) await open().catch(() => undefined);
      // Reading failed, and that error is the one to report.
      if (!last) return;
      const { source } = last;
      if (!source.readableEnded) {
        source.unpipe();
        source.resume();
        await finished(source);
      }
      if (last.bytes !== schema.bytes) throw archiveDamaged(display, `its size (${last.bytes} bytes, the manifest says ${schema.bytes})`);
      if (last.hash.digest('hex') !== schema.sha256) throw archiveDamaged(display, 'its sha256');
    },
  };
}
