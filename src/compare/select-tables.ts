import type { SchemaMatch, TableMatch } from './match-tables';
import { InvalidInputError } from '../errors';

/** Edit distance between two names (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * `; did you mean "orders"?` when a known name is close to the one given (same letters in another
 * case, or a few typos away), else nothing.
 *
 * @example
 * closeNameHint('Orders', ['orders', 'users']); // '; did you mean "orders"?'
 */
export function closeNameHint(given: string, known: Iterable<string>): string {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === given.toLowerCase() ? 0 : distance(given, name);
    if (d <= Math.max(2, Math.floor(given.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best ? `; did you mean "${best.name}"?` : '';
}

/** Options of {@link selectTables}. */
export interface SelectTablesOptions {
  readonly live: string;
  readonly restored: string;
  /** Only these tables (each must be in both schemas). @default every common table */
  readonly tables?: readonly string[];
  /** The option that named the restored schema, for messages. @default '--against' */
  readonly restoredOption?: string;
}

/**
 * The matched tables to compare, in name order: all common tables, or the ones named, each of which
 * must exist in both schemas. Throws an {@link InvalidInputError} naming the table (and a close name, if any) for
 * a table missing on a side, and when the schemas have no table in common.
 *
 * @example
 * selectTables(match, { live: 'customer_a1', restored: 'customer_a1_20240128143000', tables: ['orders'] });
 */
export function selectTables(match: SchemaMatch, options: SelectTablesOptions): TableMatch[] {
  if (match.tables.length === 0) {
    throw new InvalidInputError(`schemas "${options.live}" and "${options.restored}" have no table in common; ` +
      `check that ${options.restoredOption ?? '--against'} names the schema restored from this one`);
  }
  if (!options.tables?.length) return [...match.tables];
  const known = [...match.tables.map((t) => t.table), ...match.onlyInLive, ...match.onlyInRestored];
  for (const name of options.tables) {
    if (match.tables.some((t) => t.table === name)) continue;
    if (match.onlyInLive.includes(name)) throw new InvalidInputError(`table "${name}" exists only in the live schema "${options.live}" (created since the restore point); nothing to compare it with`);
    if (match.onlyInRestored.includes(name)) throw new InvalidInputError(`table "${name}" exists only in the restored schema "${options.restored}" (dropped live since); nothing to compare it with`);
    throw new InvalidInputError(`no table "${name}" in schema "${options.live}" or "${options.restored}"${closeNameHint(name, known)}`);
  }
  return match.tables.filter((t) => options.tables?.includes(t.table));
}
