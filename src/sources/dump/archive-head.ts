import { Readable } from 'node:stream';
import type { ArchiveLocation } from './dump-archive-location';
import type { DumpArchive } from './open-dump-archive';

/** The first ranged read of an archive's start: the table of contents of most tenants' archives fits. */
export const FIRST_HEAD_BYTES = 64 * 1024;

/** The most of an archive's start held in memory; a table of contents larger still is read from the whole object's stream. */
export const MAX_HEAD_BYTES = 64 * 1024 * 1024;

/** Each location's start that held its whole table of contents (the whole object when it is that small). */
const heads = new WeakMap<ArchiveLocation, Buffer>();

/** pg_restore's complaint when its stdin ended before what it needed (here: before the table of contents did). */
const CUT_OFF = /could not read from input file: end of file|unexpected end of file/i;

/** A location whose start can be read on its own (a ranged GetObject). */
type HeadReadable = ArchiveLocation & Required<Pick<ArchiveLocation, 'readHead'>>;

/**
 * Whether a pass that needs only the table of contents can read just the archive's start: a
 * streamed (not seekable), uncompressed custom-format archive — where pg_dump writes the whole table
 * of contents, every definition's SQL with it, before the data — at a location that reads ranges.
 *
 * @example
 * readsHead(archive); // true for s3://backups/tenant_a.dump
 */
export function readsHead(archive: DumpArchive): archive is DumpArchive & { location: HeadReadable } {
  return archive.format === 'custom' && !archive.gzip && !archive.seekable && archive.location.readHead !== undefined;
}

/**
 * The whole object, when an earlier pass's head read held all of it (a small archive): the data
 * pass then reads it from memory rather than fetching it again.
 *
 * @example
 * const held = heldWhole(location); // Buffer | undefined
 */
export function heldWhole(location: ArchiveLocation): Buffer | undefined {
  const head = heads.get(location);
  return head !== undefined && head.length >= location.size ? head : undefined;
}

/**
 * Run a pass that needs only the archive's table of contents (`pg_restore -l`, `--schema-only`,
 * `--section=pre-data`) on the archive's start alone: a ranged read of {@link FIRST_HEAD_BYTES},
 * four times larger each time pg_restore reports that its input ended too soon (it reads the whole
 * table of contents before it does anything, so a cut-off start fails before any effect). The start
 * that sufficed is kept (in memory, per location) for the passes after. Beyond
 * {@link MAX_HEAD_BYTES}, `whole()` runs the pass on the whole object's stream. Any other failure,
 * or one on the whole object, is the pass's.
 *
 * @example
 * const result = await onArchiveHead(archive.location, (stdin) => runTool(pgRestore, ['-l'], { stdin }), () => runOnStream());
 */
export async function onArchiveHead<T>(location: HeadReadable, run: (stdin: Readable) => Promise<T>, whole: () => Promise<T>): Promise<T> {
  // One byte past the size the location claims: an object longer than a manifest says is not taken for all of it.
  const cap = location.size + 1;
  let head = heads.get(location);
  let bytes = Math.min(head?.length ?? FIRST_HEAD_BYTES, cap);
  for (;;) {
    head ??= await location.readHead(bytes);
    // The object ended within the range: this is all of it, and a failure is the pass's own.
    const all = head.length < bytes || head.length >= location.size;
    try {
      const result = await run(Readable.from([head]));
      heads.set(location, head);
      return result;
    } catch (err) {
      if (all || !CUT_OFF.test((err as Error).message)) throw err;
    }
    head = undefined;
    bytes = Math.min(bytes * 4, cap);
    if (bytes > MAX_HEAD_BYTES) return whole();
  }
}
