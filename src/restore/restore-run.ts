import { Client } from 'pg';
import type { DatabaseConnection } from '../connection';
import type { SourceSnapshot } from '../connection/source-snapshot';
import type { LargeObjectRecord } from '../copy/large-object-record';
import type { SchemaMapping } from '../copy/schema-mapping';
import type { AddedForeignKey } from '../ddl/add-outside-foreign-keys';
import type { KeptObjects } from '../ddl/select-statements';
import { AbortedError } from '../errors';
import type { ProgressListener, RestorePhase } from '../progress';
import type { RestoreSchemaOptions } from '../restore-options';
import type { TemporaryDatabase } from '../sources/restore-source';

/** One schema of a restore, named once: at the source, while it is built, and once published. */
export interface SchemaPlan {
  readonly source: string;
  /** `pgsr_<id>_<n>`: where it is built, invisible to everyone until publish. */
  readonly staging: string;
  readonly restored: string;
  /** A table-level restore: the relations of this schema that are restored, and every object kept (see `tableClosure`). */
  readonly only?: { readonly relations: ReadonlySet<string>; readonly keep: KeptObjects };
}

/** Runs one step of the restore between phase start/done events (and checks for abort first). */
export type PhaseRunner = <T>(phase: RestorePhase, message: string, fn: () => Promise<T>, done?: (result: T) => string) => Promise<T>;

/** What exists in the target because of this restore, so that a failure or abort removes it. */
export interface MadeInTarget {
  /** The staging schemas may exist (pre-data has started) and are not yet published. */
  staging: boolean;
  /** Foreign keys to live tables that are in place in the staging schemas. */
  readonly keys: AddedForeignKey[];
  /** Where the large objects created in the target are written down; undefined with `noLargeObjects`. */
  readonly largeObjects?: LargeObjectRecord;
  /** The lock timeout in force on the DDL session, once it is set. */
  lockTimeoutMs?: number;
}

/** Everything the steps of one restore share: the options, the two sessions, and what was made. */
export interface RestoreRun {
  readonly options: RestoreSchemaOptions & { readonly source: DatabaseConnection };
  readonly restoreId: string;
  readonly emit: ProgressListener;
  readonly signal?: AbortSignal;
  readonly step: PhaseRunner;
  /** The target session that runs the DDL (the copy workers have their own). */
  readonly target: Client;
  /** The source session holding the one snapshot every read shares. */
  readonly snapshot: SourceSnapshot;
  /** The temporary source the data is read from, when there is one. */
  readonly past?: TemporaryDatabase;
  readonly made: MadeInTarget;
  /** Warnings for the report, in the order they arose. */
  readonly warnings: string[];
}

/**
 * The phase runner of a restore: checks for abort, announces the step, runs it, announces its end.
 * An abort raised while the start was announced stops the step before it runs (publish cannot be taken back).
 */
export function phaseRunner(emit: ProgressListener, signal: AbortSignal | undefined): PhaseRunner {
  return async (phase, message, fn, done) => {
    if (signal?.aborted) throw new AbortedError();
    emit({ type: 'phase', phase, status: 'start', message });
    if (signal?.aborted) throw new AbortedError();
    const result = await fn();
    emit({ type: 'phase', phase, status: 'done', message: done ? done(result) : message });
    return result;
  };
}

/** Source schema → staging schema, as the copy, sequence, view and validation steps take them. */
export function stagingMappings(plans: readonly SchemaPlan[]): SchemaMapping[] {
  return plans.map((p) => ({ source: p.source, target: p.staging, relations: p.only?.relations }));
}
