import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ManifestSchema } from '../backups/backup-manifest';
import type { BackupStore } from '../backups/backup-store';
import { AbortedError } from '../errors';
import type { ProgressListener } from '../progress';
import type { RunsPostgresPrograms } from '../run-options';
import { storedArchive } from '../sources/backup/stored-archive';
import { readArchiveToc } from '../sources/dump/dump-archive-toc';

/** Options of {@link checkArchive}. */
export interface CheckArchiveOptions extends RunsPostgresPrograms {
  readonly store: BackupStore;
  /** The run's prefix in the store (`app/2026-11-27T190212Z/`); the archive is the manifest's name under it. */
  readonly runPath: string;
  /** What the manifest says of it. */
  readonly expected: ManifestSchema;
  readonly onProgress?: ProgressListener;
}

/** What {@link checkArchive} found: an empty list is a sound archive. */
export interface ArchiveCheck {
  /** The archive's bytes are there, as many as the manifest says, with its SHA-256. */
  readonly archiveOk: boolean;
  /** `pg_restore -l` reads its table of contents, which holds the schema and its tables. */
  readonly tocOk: boolean;
  readonly problems: string[];
}

/** Read the whole object once, hashing and counting as it streams by (never held whole). */
async function hashObject(options: CheckArchiveOptions, location: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const started = Date.now();
  const schema = options.expected.name;
  options.onProgress?.({ type: 'archive', status: 'start', schema, location, bytes: 0, elapsedMs: 0 });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(await options.store.read(options.runPath + options.expected.archive), sink, { signal: options.signal });
  options.onProgress?.({ type: 'archive', status: 'done', schema, location, bytes, elapsedMs: Date.now() - started });
  return { bytes, sha256: hash.digest('hex') };
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Problems with the table of contents: unreadable, or without the schema or a table the manifest lists. */
async function tocProblems(options: CheckArchiveOptions, location: string): Promise<string[]> {
  try {
    const toc = await readArchiveToc(storedArchive(options.store, options.runPath, options.expected).archive, options);
    const schema = options.expected.name;
    if (!toc.schemas.includes(schema)) return [`${location}: its table of contents does not hold schema ${schema}`];
    const listed = new Set(toc.entries.filter((e) => e.namespace === schema && (e.desc === 'TABLE' || e.desc === 'MATERIALIZED VIEW')).map((e) => e.tag));
    return options.expected.relations.filter((r) => !listed.has(r.name))
      .map((r) => `${location}: ${r.kind} ${schema}.${r.name} of the manifest is not in the archive's table of contents`);
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    return [`${location}: its table of contents is not readable (${reason(err)})`];
  }
}

/**
 * Check one archive of a backup run against its manifest: read it once from the store (a file or
 * S3 object, streamed) for its size and SHA-256, then have `pg_restore -l` read its table of
 * contents, which must hold the schema and every table and materialized view the manifest lists.
 * Problems are returned as sentences naming the archive, never thrown; an abort is.
 *
 * @example
 * const { archiveOk, tocOk, problems } = await checkArchive({ store, runPath: run.path, expected: s, binaries });
 */
export async function checkArchive(options: CheckArchiveOptions): Promise<ArchiveCheck> {
  const location = options.store.describe(options.runPath + options.expected.archive);
  const expected = options.expected;
  const problems: string[] = [];
  try {
    const { bytes, sha256 } = await hashObject(options, location);
    if (bytes !== expected.bytes) problems.push(`${location} has ${bytes} bytes, the manifest says ${expected.bytes} (truncated or replaced)`);
    if (sha256 !== expected.sha256) problems.push(`${location}: sha256 ${sha256} does not match the manifest's ${expected.sha256} (the archive is damaged)`);
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    problems.push(`${location} cannot be read (${reason(err)})`);
  }
  const archiveOk = problems.length === 0;
  const toc = await tocProblems(options, location);
  return { archiveOk, tocOk: toc.length === 0, problems: [...problems, ...toc] };
}
