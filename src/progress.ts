/** The steps of a restore, in order. */
export type RestorePhase =
  | 'source'
  | 'connect'
  | 'snapshot'
  | 'extract-ddl'
  | 'pre-data'
  | 'copy'
  | 'large-objects'
  | 'post-data'
  | 'sequences'
  | 'materialized-views'
  | 'validate'
  | 'outside-keys'
  | 'publish'
  | 'cleanup';

/** A phase started or finished. */
export interface PhaseEvent {
  readonly type: 'phase';
  readonly phase: RestorePhase;
  readonly status: 'start' | 'done';
  /** Plain-words description for people ("copying 4 tables with 4 workers"). */
  readonly message: string;
}

/** A table's copy started, advanced or finished. */
export interface TableEvent {
  readonly type: 'table';
  readonly status: 'start' | 'progress' | 'done';
  /** Source schema and table. */
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Planner estimates at the source, for a progress bar. */
  readonly estimatedRows?: number;
  readonly estimatedBytes?: number;
}

/**
 * A post-data statement (an index, a key, a constraint, a foreign key) started or ended on a build
 * session; builds start while other tables are still being copied, so they come during 'copy' too.
 */
export interface BuildEvent {
  readonly type: 'build';
  readonly status: 'start' | 'done';
  /** `checksum`: a loaded table's rows hashed for validation, beside the builds. */
  readonly kind: 'index' | 'key' | 'constraint' | 'foreign-key' | 'attach' | 'checksum';
  /** The statement's beginning, with the staging schema's name. */
  readonly statement: string;
  readonly elapsedMs: number;
  /** Builds ended so far, and in all. */
  readonly built: number;
  readonly total: number;
}

/** Anything else worth telling: a warning, a note. */
export interface LogEvent {
  readonly type: 'log';
  readonly level: 'info' | 'warn';
  readonly message: string;
}

/** A schema's archive started, advanced or was stored (`backup`), or was read and checked (restore, verify, drill). */
export interface ArchiveEvent {
  readonly type: 'archive';
  readonly status: 'start' | 'progress' | 'done';
  readonly schema: string;
  /** Where the archive is, for people: `s3://…/customer_a1.dump`. */
  readonly location: string;
  readonly bytes: number;
  readonly elapsedMs: number;
}

export type ProgressEvent = PhaseEvent | TableEvent | BuildEvent | LogEvent | ArchiveEvent;

/** Receives progress events; the CLI renders them, Lambda handlers log them as JSON lines, tests assert on them. */
export type ProgressListener = (event: ProgressEvent) => void;

/** A listener that never throws into the restore: a broken renderer must not break a restore. */
export function safeListener(listener: ProgressListener | undefined): ProgressListener {
  return (event) => {
    try {
      listener?.(event);
    } catch {
      // progress is best-effort
    }
  };
}
