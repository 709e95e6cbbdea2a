import type { ClientBase } from 'pg';
import { checksumRelation, RelationChecksum } from './checksum-relation';
import { largeObjectValueSql, LargeObjectSide } from './large-object-digest';
import type { RelationValidation, ValidateRestoreOptions } from './validate-restore';
import type { ValidationSessions } from './validation-sessions';
import { listMaterializedViews, listTables } from '../copy/list-tables';
import { mappedOnly, type SchemaMapping } from '../copy/schema-mapping';
import { AbortedError } from '../errors';

/** A table or materialized view as one side lists it. */
interface Relation {
  readonly kind: RelationValidation['kind'];
  readonly columns: readonly string[];
  readonly populated: boolean;
}

async function relationsOf(client: ClientBase, schema: string, only: Pick<SchemaMapping, 'relations'> = {}): Promise<Map<string, Relation>> {
  const relations = new Map<string, Relation>();
  for (const t of mappedOnly(only, await listTables(client, schema))) relations.set(t.name, { kind: 'table', columns: t.columns, populated: true });
  for (const m of mappedOnly(only, await listMaterializedViews(client, schema))) relations.set(m.name, { kind: 'materialized view', columns: m.columns, populated: m.populated });
  return relations;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c) => b.includes(c));

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

/** One relation to compare, present on either side. */
export interface Comparison {
  readonly mapping: SchemaMapping;
  readonly name: string;
  readonly at?: Relation;
  readonly again?: Relation;
  /** The source side as hashed during the copy, when it was. */
  readonly copied?: RelationChecksum;
  /** The target side, when it was already checksummed (beside the builds). */
  readonly restored?: RelationChecksum;
}

/** The relations of one schema, on both sides, to compare. */
export async function comparisons(source: ClientBase, target: ClientBase, mapping: SchemaMapping,
  options: ValidateRestoreOptions): Promise<Comparison[]> {
  const { source: schema, target: restored } = mapping;
  const [sourceRelations, restoredRelations] = await Promise.all([relationsOf(source, schema, mapping), relationsOf(target, restored)]);
  const key = (s: string, t: string): string => JSON.stringify([s, t]);
  const lobs = new Set(options.largeObjects?.columns.map((c) => key(c.schema, c.table)));
  const copied = new Map(options.copied?.filter((t) => t.checksum && !lobs.has(key(t.schema, t.table))).map((t) => [key(t.schema, t.table), t]));
  return [...new Set([...sourceRelations.keys(), ...restoredRelations.keys()])].map((name) => {
    const table = copied.get(key(schema, name));
    return { mapping, name, at: sourceRelations.get(name), again: restoredRelations.get(name), copied: table?.checksum, restored: table?.restored };
  });
}

/** How one relation compared, and the line that says how it differs. */
export interface Compared {
  readonly table: RelationValidation;
  readonly difference?: string;
}

/** Compare one relation on session pair `n`: checksums on both sides at once. */
async function compare(c: Comparison, sessions: ValidationSessions, n: number, options: ValidateRestoreOptions): Promise<Compared> {
  const { mapping: { source: schema, target: restored }, name, at, again, copied } = c;
  const record = options.largeObjects?.record ?? '';
  const comparable = at !== undefined && again !== undefined && at.kind === again.kind;
  const sameColumns = comparable && sameSet(at.columns, again.columns);
  // Both sides hash the source's column list, so physical column order does not matter. A table
  // checksummed as it was copied (never one with large-object columns) has its source side already,
  // and its target side too when it was checksummed beside the builds.
  const byCopy = copied !== undefined && at?.kind === 'table' && sameColumns;
  const [before, after] = await Promise.all([
    byCopy ? copied
      : at?.populated ? sessions.source(n).then((s) => checksumRelation(s, schema, name, at.columns, largeObjectValues(options, schema, name, { side: 'source' })))
        : undefined,
    !again?.populated ? undefined
      : (byCopy ? c.restored : undefined) ?? sessions.target(n).then((t) => checksumRelation(t, restored, name,
        sameColumns ? at.columns : again.columns, largeObjectValues(options, schema, name, { side: 'target', record }))),
  ]);
  const table: RelationValidation = {
    schema,
    name,
    kind: (at ?? again)!.kind,
    sourceRows: before?.rows,
    restoredRows: after?.rows,
    sourceChecksum: before?.checksum,
    restoredChecksum: after?.checksum,
    rowsMatch: comparable && before?.rows === after?.rows,
    checksumMatch: sameColumns && before?.checksum === after?.checksum,
  };
  const difference = describeDifference(at, again, before, after, restored);
  return { table, difference: difference && `${schema}.${name}: ${difference}` };
}

/** Compare the relations on `jobs` session pairs, the largest tables (by the rows the copy counted) first. */
export async function compareAll(relations: readonly Comparison[], sessions: ValidationSessions,
  options: ValidateRestoreOptions): Promise<Map<Comparison, Compared>> {
  const queue = [...relations].sort((a, b) => (b.copied?.rows ?? 0) - (a.copied?.rows ?? 0));
  const compared = new Map<Comparison, Compared>();
  const worker = async (_: unknown, n: number): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      if (options.signal?.aborted) throw new AbortedError();
      compared.set(c, await compare(c, sessions, n, options));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs ?? 1, queue.length) }, worker));
  return compared;
}
