import { constants, gunzipSync } from 'node:zlib';

/** The pg_dump output formats: `-Fc`, `-Ft`, `-Fd` and plain SQL (`-Fp`). */
export type DumpArchiveFormat = 'custom' | 'tar' | 'directory' | 'plain';

/** An archive's format and whether the whole file is gzip-compressed (`dump.sql.gz`). */
export interface DetectedArchiveFormat {
  readonly format: DumpArchiveFormat;
  readonly gzip: boolean;
}

/** Bytes of an archive's start that {@link detectArchiveFormat} needs (tar header, plain SQL banner; gzip header). */
export const ARCHIVE_HEAD_BYTES = 8192;

const PGDMP = Buffer.from('PGDMP');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** pg_dump's plain SQL output starts with this banner (pg_dumpall's says "database cluster dump"). */
const PLAIN_BANNER = '-- PostgreSQL database dump';

function isTarWithToc(head: Buffer): boolean {
  if (head.length < 262 || head.subarray(257, 262).toString('latin1') !== 'ustar') return false;
  const nameEnd = head.indexOf(0, 0);
  return head.subarray(0, nameEnd === -1 || nameEnd > 100 ? 100 : nameEnd).toString('latin1') === 'toc.dat';
}

function isPlainDump(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  return text.split('\n', 20).some((line) => line.trimEnd() === PLAIN_BANNER);
}

function detectUncompressed(head: Buffer): DumpArchiveFormat | undefined {
  if (head.subarray(0, PGDMP.length).equals(PGDMP)) return 'custom';
  if (isTarWithToc(head)) return 'tar';
  if (isPlainDump(head)) return 'plain';
  return undefined;
}

/** Decompress the start of a gzip stream; a cut-off input gives what could be decompressed. */
function gunzipHead(head: Buffer): Buffer | undefined {
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/**
 * Tell a pg_dump archive's format from its first bytes (never from its name): `PGDMP` starts a
 * custom archive (and a directory archive's `toc.dat`), a tar whose first member is `toc.dat` is a
 * tar archive, pg_dump's banner starts plain SQL; gzip-compressed files are looked into. Undefined
 * when the bytes are none of these.
 *
 * @example
 * detectArchiveFormat(readHead('tenant_a.sql.gz')); // { format: 'plain', gzip: true }
 * detectArchiveFormat(readHead('tenant_a.dir/toc.dat'), { directory: true }); // { format: 'directory', gzip: false }
 */
export function detectArchiveFormat(head: Buffer, options: { directory?: boolean } = {}): DetectedArchiveFormat | undefined {
  if (options.directory) return head.subarray(0, PGDMP.length).equals(PGDMP) ? { format: 'directory', gzip: false } : undefined;
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) {
    const inner = gunzipHead(head);
    const format = inner && detectUncompressed(inner);
    return format ? { format, gzip: true } : undefined;
  }
  const format = detectUncompressed(head);
  return format ? { format, gzip: false } : undefined;
}

/**
 * The format in words, for messages.
 *
 * @example
 * describeArchiveFormat({ format: 'plain', gzip: true }); // 'plain SQL, gzip-compressed'
 */
export function describeArchiveFormat(detected: DetectedArchiveFormat): string {
  const name = detected.format === 'plain' ? 'plain SQL' : `${detected.format} format`;
  return detected.gzip ? `${name}, gzip-compressed` : name;
}
