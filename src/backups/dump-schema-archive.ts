import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import type { BackupStore } from './backup-store';
import { DatabaseConnection, describeConnection, libpqEnv } from '../connection';
import { exactNamePattern } from '../ddl/extract-ddl';
import type { ProgressListener } from '../progress';
import type { RunsPostgresPrograms } from '../run-options';
import { runTool } from '../run-tool';

/** Options of {@link dumpSchemaArchive}. */
export interface DumpSchemaArchiveOptions extends RunsPostgresPrograms {
  readonly source: DatabaseConnection;
  readonly snapshotId: string;
  readonly schema: string;
  readonly store: BackupStore;
  /** Key of the archive in the store. */
  readonly key: string;
  /** pg_dump's `--lock-wait-timeout`, in ms: it fails rather than wait longer for a table's lock. @default - no limit */
  readonly lockWaitTimeoutMs?: number;
  readonly onProgress?: ProgressListener;
}

/** What was stored: the archive's size and SHA-256, computed from the bytes as they went by. */
export interface DumpedArchive {
  readonly bytes: number;
  readonly sha256: string;
}

/** Report progress at most this often. */
const PROGRESS_EVERY_MS = 500;

/**
 * Dump one schema in the backup's snapshot (`pg_dump -Fc --snapshot -n`) straight into the store:
 * pg_dump's output is hashed and counted as it streams to the file or S3 upload, never held whole in
 * memory or written anywhere else. The password reaches pg_dump through PGPASSWORD, never argv.
 *
 * @example
 * const { bytes, sha256 } = await dumpSchemaArchive({ source, snapshotId, schema: 'customer_a1', store, key, binaries });
 */
export async function dumpSchemaArchive(options: DumpSchemaArchiveOptions): Promise<DumpedArchive> {
  const hash = createHash('sha256');
  let bytes = 0;
  const started = Date.now();
  let reported = started;
  const location = options.store.describe(options.key);
  const report = (status: 'start' | 'progress' | 'done'): void =>
    options.onProgress?.({ type: 'archive', status, schema: options.schema, location, bytes, elapsedMs: Date.now() - started });
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      if (Date.now() - reported >= PROGRESS_EVERY_MS) {
        reported = Date.now();
        report('progress');
      }
      done(null, chunk);
    },
  });
  const body = new PassThrough();
  // Its failure is reported by the write that reads it or by pg_dump's own, never as an unhandled 'error'.
  body.on('error', () => undefined);
  counted.pipe(body);
  const env: Record<string, string> = { ...libpqEnv(options.source), PGAPPNAME: 'pg-schema-restore backup', PGOPTIONS: '' };
  const args = ['--format=custom', '--no-sync', '--strict-names', `--snapshot=${options.snapshotId}`, `--schema=${exactNamePattern(options.schema)}`,
    ...(options.lockWaitTimeoutMs !== undefined ? [`--lock-wait-timeout=${options.lockWaitTimeoutMs}ms`] : [])];
  report('start');
  // A failed write stops pg_dump, which would otherwise wait forever on a full pipe.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const dumped = runTool(options.binaries.path('pg_dump'), args, {
    env, secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [], signal, stdout: counted,
  }).catch((err: Error) => {
    err.message = `${err.message} (dumping schema ${options.schema} from ${describeConnection(options.source)})`;
    body.destroy(err);
    throw err;
  });
  const stored = options.store.write(options.key, body, options.signal).catch((err: unknown) => {
    stop.abort();
    throw err;
  });
  // Either side failing fails the archive; wait for both so no pg_dump or upload outlives it.
  const [dumpResult, storeResult] = await Promise.allSettled([dumped, stored]);
  // The first failure is the cause: pg_dump's own, or the write that made us stop it.
  if (stop.signal.aborted && storeResult.status === 'rejected') throw storeResult.reason;
  if (dumpResult.status === 'rejected') throw dumpResult.reason;
  if (storeResult.status === 'rejected') throw storeResult.reason;
  report('done');
  return { bytes, sha256: hash.digest('hex') };
}
