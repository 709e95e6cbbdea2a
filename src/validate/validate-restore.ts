import { Client, ClientBase } from 'pg';
import { checksumRelation, RelationChecksum } from './checksum-relation';
import { largeObjectValueSql, LargeObjectSide } from './large-object-digest';
import { cancelOnAbort } from '../cancel-on-abort';
import { connect, DatabaseConnection } from '../connection';
import { listMaterializedViews, listSequences, listTables, schemaExists } from '../copy/list-tables';
import { checkSchemaMappings, SchemaMapping } from '../copy/schema-mapping';
import { readSequencePosition, SequencePosition } from '../copy/sequence-positions';
import { AbortedError, SchemaNotFoundError } from '../errors';
import { connectInSnapshot } from '../sources/source-snapshot';

/** Options of {@link validateRestore}. */
export interface ValidateRestoreOptions {
  readonly source: DatabaseConnection;
  readonly target: DatabaseConnection;
  /** Source schema → restored schema in the target. */
  readonly schemas: readonly SchemaMapping[];
  /** Read the source inside this exported snapshot (the one the data was copied from). @default - a fresh REPEATABLE READ transaction */
  readonly snapshotId?: string;
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

interface Relation {
  readonly kind: RelationValidation['kind'];
  readonly columns: readonly string[];
  readonly populated: boolean;
}

async function relationsOf(client: ClientBase, schema: string): Promise<Map<string, Relation>> {
  const relations = new Map<string, Relation>();
  for (const t of await listTables(client, schema)) relations.set(t.name, { kind: 'table', columns: t.columns, populated: true });
  for (const m of await listMaterializedViews(client, schema)) relations.set(m.name, { kind: 'materialized view', columns: m.columns, populated: m.populated });
  return relations;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c) => b.includes(c));
const describePosition = (p: SequencePosition): string => `${p.lastValue} (is_called ${p.isCalled})`;

/** What differs between a relation at the source and in the restore, in words; undefined when they agree. */
function describeDifference(at: Relation | undefined, again: Relation | undefined, before: RelationChecksum | undefined,
  after: RelationChecksum | undefined, restored: string): string | undefined {
  if (!again) return `${at!.kind} missing in the restored schema ${restored}`;
  if (!at) return `${again.kind} exists only in the restored schema ${restored}`;
  if (at.kind !== again.kind) return `a ${at.kind} at the source but a ${again.kind} in the restored schema ${restored}`;
  if (!sameSet(at.columns, again.columns)) return `columns differ (source: ${at.columns.join(', ')}; restored: ${again.columns.join(', ')})`;
  if (!before || !after) return before === after ? undefined : `${at.kind} is ${before ? '' : 'not '}populated at the source but ${after ? '' : 'not '}populated in the restore`;
  const stale = at.kind === 'materialized view' ? ' (materialized views are recomputed from the restored tables; the source\'s may be stale)' : '';
  if (before.rows !== after.rows) return `${before.rows} rows at the source, ${after.rows} restored${stale}`;
  if (before.checksum !== after.checksum) return `contents differ (${before.rows} rows on both sides, different checksums)${stale}`;
  return undefined;
}

/** A large-object column's value as it is compared, on one side; undefined for other columns. */
function largeObjectValues(options: ValidateRestoreOptions, schema: string, table: string, side: LargeObjectSide) {
  const columns = new Set(options.largeObjects?.columns.filter((c) => c.schema === schema && c.table === table).map((c) => c.column));
  return (column: string, value: string): string | undefined => (columns.has(column) ? largeObjectValueSql(value, side) : undefined);
}

/** Compare one schema's tables and materialized views, present on either side; push a line per difference. */
async function validateRelations(source: ClientBase, target: ClientBase, mapping: SchemaMapping, result: ValidationResult,
  options: ValidateRestoreOptions): Promise<void> {
  const { source: schema, target: restored } = mapping;
  const record = options.largeObjects?.record ?? '';
  const [sourceRelations, restoredRelations] = await Promise.all([relationsOf(source, schema), relationsOf(target, restored)]);
  for (const name of new Set([...sourceRelations.keys(), ...restoredRelations.keys()])) {
    const at = sourceRelations.get(name);
    const again = restoredRelations.get(name);
    const comparable = at !== undefined && again !== undefined && at.kind === again.kind;
    const sameColumns = comparable && sameSet(at.columns, again.columns);
    // Both sides hash the source's column list, so physical column order does not matter.
    const [before, after] = await Promise.all([
      at?.populated ? checksumRelation(source, schema, name, at.columns, largeObjectValues(options, schema, name, { side: 'source' })) : undefined,
      again?.populated ? checksumRelation(target, restored, name, sameColumns ? at.columns : again.columns,
        largeObjectValues(options, schema, name, { side: 'target', record })) : undefined,
    ]);
    result.tables.push({
      schema,
      name,
      kind: (at ?? again)!.kind,
      sourceRows: before?.rows,
      restoredRows: after?.rows,
      sourceChecksum: before?.checksum,
      restoredChecksum: after?.checksum,
      rowsMatch: comparable && before?.rows === after?.rows,
      checksumMatch: sameColumns && before?.checksum === after?.checksum,
    });
    const difference = describeDifference(at, again, before, after, restored);
    if (difference) result.mismatches.push(`${schema}.${name}: ${difference}`);
  }
}

/** Compare one schema's sequence positions; push a line per difference. */
async function validateSequences(source: ClientBase, target: ClientBase, mapping: SchemaMapping, result: ValidationResult): Promise<void> {
  const { sequences, mismatches } = result;
  const { source: schema, target: restored } = mapping;
  const restoredSequences = new Set((await listSequences(target, restored)).map((s) => s.name));
  for (const { name } of await listSequences(source, schema)) {
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
  const clients: Client[] = [];
  let stopCancel = (): void => undefined;
  try {
    const source = options.snapshotId
      ? await connectInSnapshot(options.source, options.snapshotId, 'pg-schema-restore validate')
      : await connect(options.source, 'source', 'pg-schema-restore validate');
    clients.push(source);
    const target = await connect(options.target, 'target', 'pg-schema-restore validate');
    clients.push(target);
    stopCancel = cancelOnAbort(options.signal, [{ client: source, connection: options.source }, { client: target, connection: options.target }]);
    if (!options.snapshotId) await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result: ValidationResult = { tables: [], sequences: [], mismatches: [] };
    for (const mapping of options.schemas) {
      if (options.signal?.aborted) throw new AbortedError();
      if (!(await schemaExists(source, mapping.source))) throw new SchemaNotFoundError(mapping.source, 'the source');
      if (!(await schemaExists(target, mapping.target))) result.mismatches.push(`${mapping.source}: the restored schema ${mapping.target} does not exist in the target`);
      await validateRelations(source, target, mapping, result, options);
      await validateSequences(source, target, mapping, result);
    }
    return result;
  } catch (err) {
    if (options.signal?.aborted) throw new AbortedError();
    throw err;
  } finally {
    stopCancel();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
