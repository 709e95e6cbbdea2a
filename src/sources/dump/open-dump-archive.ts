import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { archiveCorrupt, notAnArchive } from './dump-archive-errors';
import { DetectedArchiveFormat, detectArchiveFormat } from './dump-archive-format';
import { ArchiveLocation, locateDumpArchive } from './dump-archive-location';
import { S3AccessOptions } from '../../aws/s3-object';

/** A located archive whose format is known. */
export interface DumpArchive extends DetectedArchiveFormat {
  readonly location: ArchiveLocation;
  /**
   * True when pg_restore can read it from its path (a local, uncompressed custom, tar or directory
   * archive), so it can seek and restore with several jobs; false when it must be streamed to stdin.
   */
  readonly seekable: boolean;
}

/**
 * Locate an archive and tell its format from its first bytes. Anything that is not a pg_dump
 * archive gives `ARCHIVE_CORRUPT` (and nothing stays open). `close()` its location when done.
 *
 * @example
 * const archive = await openDumpArchive('/backups/tenant_a.sql.gz');
 * archive.format; // 'plain'
 */
export async function openDumpArchive(path: string, options: S3AccessOptions = {}): Promise<DumpArchive> {
  const location = await locateDumpArchive(path, options);
  const detected = detectArchiveFormat(location.head, { directory: location.isDirectory });
  if (!detected) {
    location.close();
    if (location.size === 0) throw archiveCorrupt(`${location.display} is empty, so it is not a pg_dump archive`);
    throw notAnArchive(location.display);
  }
  return {
    ...detected,
    location,
    seekable: location.localPath !== undefined && !detected.gzip && detected.format !== 'plain',
  };
}

/**
 * The archive's bytes as pg_restore or psql read them: the file or S3 object, gunzipped when the
 * whole file is compressed. A damaged gzip stream fails with zlib's error.
 *
 * @example
 * await runTool(psql, args, { stdin: await archiveStream(archive) });
 */
export async function archiveStream(archive: DumpArchive): Promise<Readable> {
  const raw = await archive.location.open();
  if (!archive.gzip) return raw;
  // pipeline destroys the source when the gunzip stream is destroyed (a program that stops reading early).
  return pipeline(raw, createGunzip(), () => undefined);
}
