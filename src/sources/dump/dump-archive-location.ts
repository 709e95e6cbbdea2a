import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { heldWhole } from './archive-head';
import { archiveCorrupt, archiveNotFound, archiveUnreadable } from './dump-archive-errors';
import { ARCHIVE_HEAD_BYTES } from './dump-archive-format';
import { newestS3Object, openS3Object, parseS3Uri, readS3Head, S3AccessOptions, s3ClientFor, s3Uri } from '../../aws/s3-object';
import { ToolError } from '../../errors';

/** Where an archive is, what it starts with, and how to read it. */
export interface ArchiveLocation {
  /** For people and messages: the local path, or `s3://bucket/key` (a prefix resolved to its newest key). No secrets. */
  readonly display: string;
  /** Local path of the file or directory; undefined for S3. */
  readonly localPath?: string;
  /** A directory (pg_dump `-Fd`); always local. */
  readonly isDirectory: boolean;
  /** Bytes: the file, the S3 object, or every file of the directory. */
  readonly size: number;
  /** File mtime or S3 LastModified (of `toc.dat` for a directory). */
  readonly modifiedAt: Date;
  /** The first bytes (of `toc.dat` for a directory), for format detection. */
  readonly head: Buffer;
  /** The whole file or object as a stream, read as it is consumed. Not for directories. */
  open(): Promise<Readable>;
  /** S3 only: the object's first `bytes` bytes (a ranged GetObject), for passes that need only the table of contents (see `onArchiveHead`). */
  readHead?(bytes: number): Promise<Buffer>;
  /** Release the S3 client when it was created here. Safe to call more than once. */
  close(): void;
}

function fsError(err: unknown, path: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return archiveNotFound(`${path} does not exist`, 'check the path (a file or directory written by pg_dump, or s3://bucket/key)', err);
  }
  if (code === 'EACCES' || code === 'EPERM') return archiveUnreadable(path, err);
  return err;
}

async function readFileHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(ARCHIVE_HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function locateLocal(path: string): Promise<ArchiveLocation> {
  try {
    const info = await stat(path);
    const base = { display: path, localPath: path, close: () => undefined };
    if (!info.isDirectory()) {
      const head = await readFileHead(path);
      return { ...base, isDirectory: false, size: info.size, modifiedAt: info.mtime, head, open: async () => createReadStream(path) };
    }
    const names = await readdir(path);
    if (!names.includes('toc.dat')) {
      throw archiveCorrupt(`directory ${path} has no toc.dat, so it is not a pg_dump directory-format archive`);
    }
    let size = 0;
    for (const name of names) size += (await stat(join(path, name))).size;
    const toc = join(path, 'toc.dat');
    const [head, tocInfo] = [await readFileHead(toc), await stat(toc)];
    return {
      ...base,
      isDirectory: true,
      size,
      modifiedAt: tocInfo.mtime,
      head,
      open: () => Promise.reject(new ToolError(`${path} is a directory archive; pg_restore reads it from its path, not as a stream`)),
    };
  } catch (err) {
    throw fsError(err, path);
  }
}

async function locateS3(uri: string, options: S3AccessOptions): Promise<ArchiveLocation> {
  const location = parseS3Uri(uri)!;
  const [client, owned] = s3ClientFor(options);
  const close = (): void => {
    if (owned) client.destroy();
  };
  try {
    let key = location.key;
    if (key === '' || key.endsWith('/')) {
      const newest = await newestS3Object(client, location, options.signal);
      if (!newest) throw archiveNotFound(`no object under ${uri}`, 'upload a pg_dump archive there, or point --source at an object (s3://bucket/key)');
      key = newest.key;
    }
    const object = { bucket: location.bucket, key };
    const { head, info } = await readS3Head(client, object, ARCHIVE_HEAD_BYTES, options.signal);
    const located: ArchiveLocation = {
      display: s3Uri(object),
      isDirectory: false,
      size: info.size,
      modifiedAt: info.lastModified,
      head,
      close,
      // An object small enough that a pass for its table of contents held all of it is not fetched again.
      open: async () => {
        const held = heldWhole(located);
        return held ? Readable.from([held]) : openS3Object(client, object, options.signal);
      },
      readHead: async (bytes) => (await readS3Head(client, object, bytes, options.signal)).head,
    };
    return located;
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * Find an archive — a local file or directory, `s3://bucket/key`, or `s3://bucket/prefix/` (the
 * newest object under the prefix) — and read its first bytes. Missing files, objects, buckets and
 * empty prefixes give `ARCHIVE_NOT_FOUND`, unreadable files `ARCHIVE_UNREADABLE`. `close()` it.
 *
 * @example
 * const where = await locateDumpArchive('s3://backups/tenant_a/', { endpoint: 'http://127.0.0.1:4568' });
 * try { console.log(where.display, where.size); } finally { where.close(); }
 */
export async function locateDumpArchive(path: string, options: S3AccessOptions = {}): Promise<ArchiveLocation> {
  return parseS3Uri(path) ? locateS3(path, options) : locateLocal(path);
}
