import type { KeyKind } from './choose-key';
import type { ColumnTypeDifference } from './match-tables';

/** A row's key as an object of key column → value (for a table without a key: the whole row on the compared columns). */
export type RowKey = Readonly<Record<string, unknown>>;

/** How a row differs between the restored (past) and the live table. */
export type RowCategory = 'deleted' | 'added' | 'changed';

/** The differences of one table present in both schemas. */
export interface TableDiff {
  /** The table's name (the same in both schemas). */
  readonly table: string;
  /** The columns rows are matched by; for `keyKind: 'row'` every compared column. */
  readonly key: readonly string[];
  /** `primary`: the primary key; `unique`: a unique index on NOT NULL columns; `row`: no key, rows matched whole (duplicates count, `changed` is always 0). */
  readonly keyKind: KeyKind;
  /** Rows only in the restored schema: deleted (or, with a key, re-keyed) since the restore point. */
  readonly deleted: number;
  /** Rows only in the live schema: added since. */
  readonly added: number;
  /** Rows with the same key and different content on the compared columns. */
  readonly changed: number;
  /** A few keys of each category, smallest keys first (for `row`: some rows, in no particular order). */
  readonly samples: Readonly<Record<RowCategory, readonly RowKey[]>>;
  /** The columns both sides have, which rows are compared on (key columns included). */
  readonly columnsCompared: readonly string[];
  /** Columns added live since the restore point: not compared. */
  readonly columnsOnlyInLive: readonly string[];
  /** Columns dropped live since the restore point: not compared. */
  readonly columnsOnlyInRestored: readonly string[];
  /** Common columns whose type differs between the sides: compared by their text form. */
  readonly columnTypeDifferences: readonly ColumnTypeDifference[];
  /** Common columns compared by their text form (`::text`): their type has no equality (json, xml, point, …) or differs between the sides. */
  readonly comparedAsText: readonly string[];
}

/** What {@link diffSchemas} found. */
export interface SchemaDiff {
  /** The live schema. */
  readonly schema: string;
  /** The restored schema it was compared against. */
  readonly against: string;
  /** Every compared table, in name order, with or without differences. */
  readonly tables: readonly TableDiff[];
  /** Tables only in the live schema (created since the restore point): not compared. */
  readonly onlyInLive: readonly string[];
  /** Tables only in the restored schema (dropped since): not compared. */
  readonly onlyInRestored: readonly string[];
}

/**
 * Whether a table differs at all between the two sides.
 *
 * @example
 * diff.tables.filter(tableDiffers).map((t) => t.table); // ['orders', 'users']
 */
export function tableDiffers(table: Pick<TableDiff, 'deleted' | 'added' | 'changed'>): boolean {
  return table.deleted + table.added + table.changed > 0;
}
