import type { ClientBase } from 'pg';
import type { RelationChecksum } from './checksum-relation';
import { compareAll, Comparison, comparisons } from './compare-relations';
import { ValidationSessions } from './validation-sessions';
import { listSequences, schemaExists } from '../copy/list-tables';
import { checkSchemaMappings, mappedOnly, SchemaMapping } from '../copy/schema-mapping';
import { readSequencePosition, SequencePosition } from '../copy/sequence-positions';
import { AbortedError, SchemaNotFoundError } from '../errors';
import type { SourceAndTarget } from '../run-options';

/** Options of {@link validateRestore}. */
export interface ValidateRestoreOptions extends SourceAndTarget {
  /** Source schema → restored schema in the target. */
  readonly schemas: readonly SchemaMapping[];
  /** Read the source inside this exported snapshot (the one the data was copied from). @default - a fresh REPEATABLE READ transaction */
  readonly snapshotId?: string;
  /**
   * Tables as the copy read them, with the checksum it computed from the rows it sent (see
   * `RowHashSum`: the value `checksumRelation` gives, computed from the stream): their source
   * side is not read again. Tables with large-object columns, and relations not listed, are
   * checksummed by a query on both sides. @default - none: every relation is read on both sides
   */
  readonly copied?: ReadonlyArray<{
    readonly schema: string;
    readonly table: string;
    readonly checksum?: RelationChecksum;
    /** The target side, already checksummed (e.g. while other tables' indexes built); the table must not have changed since. */
    readonly restored?: RelationChecksum;
  }>;
  /** Relations compared at once, each on its own pair of sessions. @default 1 */
  readonly jobs?: number;
  /** Abort: the running comparison is cancelled on both sides. */
  readonly signal?: AbortSignal;
  /**
   * Columns whose large objects the restore copied, and its record table (source OID → new OID,
   * quoted and qualified): their rows compare by the content referenced, not the OID.
   * @default - every column compares by its value
   */
  readonly largeObjects?: {
    readonly columns: ReadonlyArray<{ readonly schema: string; readonly table: string; readonly column: string }>;
    readonly record: string;
  };
}

/** How one table or materialized view compares. Counts and checksums are missing on a side that lacks it or where it is unpopulated. */
export interface RelationValidation {
  /** Schema at the source. */
  readonly schema: string;
  readonly name: string;
  readonly kind: 'table' | 'materialized view';
  readonly sourceRows?: number;
  readonly restoredRows?: number;
  readonly sourceChecksum?: string;
  readonly restoredChecksum?: string;
  readonly rowsMatch: boolean;
  readonly checksumMatch: boolean;
}

/** How one sequence compares. */
export interface SequenceValidation {
  /** Schema at the source. */
  readonly schema: string;
  readonly name: string;
  readonly source?: SequencePosition;
  readonly restored?: SequencePosition;
  readonly match: boolean;
}

/** What {@link validateRestore} found; `mismatches` is empty when everything agrees. */
export interface ValidationResult {
  readonly tables: RelationValidation[];
  readonly sequences: SequenceValidation[];
  /** One line per difference, for people ("customer_a1.orders: 200000 rows at the source, 199999 restored"). */
  readonly mismatches: string[];
}

const describePosition = (p: SequencePosition): string => `${p.lastValue} (is_called ${p.isCalled})`;

/** Compare one schema's sequence positions; push a line per difference. */
async function validateSequences(source: ClientBase, target: ClientBase, mapping: SchemaMapping, result: ValidationResult): Promise<void> {
  const { sequences, mismatches } = result;
  const { source: schema, target: restored } = mapping;
  const restoredSequences = new Set((await listSequences(target, restored)).map((s) => s.name));
  for (const { name } of mappedOnly(mapping, await listSequences(source, schema))) {
    const at = await readSequencePosition(source, schema, name);
    const again = restoredSequences.has(name) ? await readSequencePosition(target, restored, name) : undefined;
    restoredSequences.delete(name);
    const match = again !== undefined && at.lastValue === again.lastValue && at.isCalled === again.isCalled;
    sequences.push({ schema, name, source: at, restored: again, match });
    if (!again) {
      mismatches.push(`${schema}.${name}: sequence missing in the restored schema ${restored}`);
    } else if (!match) {
      mismatches.push(`${schema}.${name}: sequence at ${describePosition(at)} at the source, ${describePosition(again)} restored ` +
        '(sequences are not transactional: a source in use may have moved on since the copy)');
    }
  }
  for (const name of restoredSequences) {
    mismatches.push(`${schema}.${name}: sequence exists only in the restored schema ${restored}`);
    sequences.push({ schema, name, restored: await readSequencePosition(target, restored, name), match: false });
  }
}

/**
 * Compare every table, materialized view and sequence of the restored schemas with the source: row
 * counts and content checksums ({@link checksumRelation}, over the copied columns; large-object
 * columns by the content they refer to) and sequence positions. The source is read inside
 * `snapshotId` when given, so a busy source compares as of the copy. Relations missing on either
 * side are mismatches too. Nothing is thrown for a mismatch: the caller decides (the restore
 * raises a `ValidationError`).
 *
 * @example
 * const { mismatches } = await validateRestore({
 *   source: sourceUrl, target: targetUrl, snapshotId: snapshot.id,
 *   schemas: [{ source: 'customer_a1', target: 'customer_a1_20240101120000' }],
 * });
 * if (mismatches.length) throw new ValidationError(`${mismatches.length} differences`, mismatches);
 */
export async function validateRestore(options: ValidateRestoreOptions): Promise<ValidationResult> {
  checkSchemaMappings(options.schemas);
  const sessions = new ValidationSessions(options);
  try {
    const [source, target] = await Promise.all([sessions.source(0), sessions.target(0)]);
    // Per schema: whether it is missing, its relations, and its sequences, reported in that order.
    const schemas: { missing: string[]; relations: Comparison[]; sequences: ValidationResult }[] = [];
    for (const mapping of options.schemas) {
      if (options.signal?.aborted) throw new AbortedError();
      if (!(await schemaExists(source, mapping.source))) throw new SchemaNotFoundError(mapping.source, 'the source');
      const missing = await schemaExists(target, mapping.target) ? [] : [`${mapping.source}: the restored schema ${mapping.target} does not exist in the target`];
      const sequences: ValidationResult = { tables: [], sequences: [], mismatches: [] };
      await validateSequences(source, target, mapping, sequences);
      schemas.push({ missing, relations: await comparisons(source, target, mapping, options), sequences });
    }
    const compared = await compareAll(schemas.flatMap((s) => s.relations), sessions, options);
    const result: ValidationResult = { tables: [], sequences: [], mismatches: [] };
    for (const s of schemas) {
      const relations = s.relations.map((c) => compared.get(c)!);
      result.tables.push(...relations.map((r) => r.table));
      result.sequences.push(...s.sequences.sequences);
      result.mismatches.push(...s.missing, ...relations.flatMap((r) => r.difference ?? []), ...s.sequences.mismatches);
    }
    return result;
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    await sessions.close();
  }
}
