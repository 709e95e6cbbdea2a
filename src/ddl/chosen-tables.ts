import type { ChosenTable } from './table-closure';
import { InvalidInputError } from '../errors';
import type { RestoreSchemaOptions } from '../restore-options';

/**
 * The restored schema a `schema.table` name belongs to: the longest of `schemas` it starts with
 * (followed by a dot and a table name), so that schema names with dots work. Undefined when none.
 *
 * @example
 * schemaOfTable('customer_a1.orders', ['customer_a1']); // 'customer_a1'
 */
export function schemaOfTable(name: string, schemas: readonly string[]): string | undefined {
  return [...schemas].sort((a, b) => b.length - a.length).find((s) => name.startsWith(`${s}.`) && name.length > s.length + 1);
}

/** `schema.table` of a name given with `tables`. */
function splitTableName(name: string, schemas: readonly string[]): ChosenTable {
  const schema = schemaOfTable(name, schemas);
  if (schema !== undefined) return { schema, table: name.slice(schema.length + 1) };
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new InvalidInputError(`table "${name}" is not schema.table; name it with its schema, e.g. customer_a1.orders`);
  throw new InvalidInputError(`table "${name}": its schema is not restored (restoring ${schemas.join(', ')}); add --schema ${name.slice(0, dot)} or fix the name`);
}

/**
 * The schemas a restore covers: `schemas`, or — when only `tables` are given — the schema of each
 * (the part before the first dot).
 *
 * @example
 * impliedSchemas({ schemas: [], tables: ['customer_a1.orders'] }); // ['customer_a1']
 */
export function impliedSchemas(options: Pick<RestoreSchemaOptions, 'schemas' | 'tables'>): string[] {
  if (options.schemas?.length || !options.tables?.length) return options.schemas ?? [];
  return [...new Set(options.tables.map((t) => t.slice(0, Math.max(0, t.indexOf('.')))).filter((s) => s.length > 0))];
}

/**
 * The tables of a table-level restore, checked without a server: each `schema.table` (exact,
 * case-sensitive) names a restored schema, no table twice, and every restored schema has at least
 * one. Undefined when `tables` is not given (whole schemas).
 *
 * @example
 * chosenTables({ schemas: ['customer_a1'], tables: ['customer_a1.orders'] }); // [{ schema: 'customer_a1', table: 'orders' }]
 */
export function chosenTables(options: Pick<RestoreSchemaOptions, 'schemas' | 'tables'>): ChosenTable[] | undefined {
  if (options.tables === undefined) return undefined;
  if (options.tables.length === 0) throw new InvalidInputError('tables is empty; name at least one table (schema.table) or leave it out to restore whole schemas');
  const schemas = impliedSchemas(options);
  const chosen = options.tables.map((t) => splitTableName(t, schemas));
  const dup = options.tables.find((t, i) => options.tables!.indexOf(t) !== i);
  if (dup !== undefined) throw new InvalidInputError(`table "${dup}" is named twice; name each table once`);
  const bare = schemas.find((s) => !chosen.some((c) => c.schema === s));
  if (bare !== undefined) throw new InvalidInputError(`schema "${bare}" is restored but none of its tables is named; name its tables (--table ${bare}.<table>) or leave the schema out`);
  return chosen;
}
