import type { DatabaseConnection } from './connection';
import type { PostgresBinaries } from './local/postgres-binaries';
import type { ProgressListener } from './progress';

/**
 * The options shared by the steps of a restore, composed rather than re-declared in each step's
 * options (`interface CopyTableOptions extends Abortable, WithProgress { … }`).
 *
 * @example
 * export interface ExtractDdlOptions extends Abortable {
 *   readonly source: DatabaseConnection;
 * }
 */
export interface Abortable {
  /** Cancels the work (Ctrl-C in the CLI): the running statement or program is stopped and the promise rejects. */
  readonly signal?: AbortSignal;
}

/**
 * Options of a step that reports progress as an event stream: the CLI draws it, the Lambda handlers
 * log it as JSON lines, tests assert on it.
 *
 * @example
 * await migrateSchemas({ source, target, schemas, onProgress: (event) => console.log(event.type) });
 */
export interface WithProgress {
  /** Receives the step's progress events; a listener that throws is ignored. */
  readonly onProgress?: ProgressListener;
}

/**
 * Options of a step that reads the source database and writes (or reads) the target.
 *
 * @example
 * export interface ValidateRestoreOptions extends SourceAndTarget, Abortable { … }
 */
export interface SourceAndTarget {
  /** The database the schemas are restored from. */
  readonly source: DatabaseConnection;
  /** The live database the schemas are restored into. */
  readonly target: DatabaseConnection;
}

/**
 * Options of a step that runs PostgreSQL's programs (pg_restore, pg_dump, …).
 *
 * @example
 * const toc = await readArchiveToc(archive, { binaries: await findPostgresBinaries(), signal });
 */
export interface RunsPostgresPrograms extends Abortable {
  /** Where PostgreSQL's programs are (see `findPostgresBinaries`). */
  readonly binaries: PostgresBinaries;
}

/**
 * Options of a step that reads the time (for tags, records, restore points), so that tests can fix it.
 *
 * @example
 * const handler = startRequestHandler({ now: () => new Date('2024-01-28T14:30:00Z') });
 */
export interface WithClock {
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}
