import type { Client } from 'pg';
import { withCancellableSession } from '../cancel-on-abort';
import { type DatabaseConnection } from '../connection';
import { AbortedError, InvalidInputError } from '../errors';
import type { Abortable } from '../run-options';
import { checkSchemasExist } from './check-schemas';
import { chooseKey, readKeys } from './choose-key';
import { comparedRelations, withConsistentRead } from './consistent-read';
import type { SchemaDiff, TableDiff } from './diff-result';
import { diffTable } from './diff-table';
import { matchTables } from './match-tables';
import { selectTables } from './select-tables';

/** Options of {@link diffSchemas}. */
export interface DiffSchemasOptions extends Abortable {
  /** The database holding both schemas (URL or conninfo string, resolved as libpq does). */
  readonly target: DatabaseConnection;
  /** The live schema, e.g. `customer_a1`. */
  readonly schema: string;
  /** The restored schema to compare it with, e.g. `customer_a1_20240128143000`. */
  readonly against: string;
  /** Only these tables (each in both schemas). @default every table the schemas have in common */
  readonly tables?: readonly string[];
  /** Sample keys per table and category. @default 5 */
  readonly samples?: number;
  /** How long to wait for each attempt at the ACCESS SHARE locks (retried after pauses). @default 2000 */
  readonly lockTimeoutMs?: number;
  /**
   * Tables estimated to have at least this many rows are compared in two passes (bucket summaries
   * of row hashes, then the exact join of the differing buckets only); others by one join. Off by
   * default: on PostgreSQL 15 the first pass alone took as long as the join (docs/benchmarks.md).
   * @default Infinity (every table by one join)
   */
  readonly bucketedFromRows?: number;
}

function checkOptions(options: DiffSchemasOptions): void {
  if (!options.schema || !options.against) throw new InvalidInputError('both schemas are needed: the live one (--schema) and the restored one (--against)');
  if (options.schema === options.against) throw new InvalidInputError(`--schema and --against both name "${options.schema}"; compare the live schema with the one restored from it`);
  if (options.samples !== undefined && (!Number.isSafeInteger(options.samples) || options.samples < 0)) {
    throw new InvalidInputError(`samples must be a whole number of 0 or more (got ${options.samples})`);
  }
  if (options.bucketedFromRows !== undefined && !(options.bucketedFromRows >= 0)) {
    throw new InvalidInputError(`bucketedFromRows must be a number of 0 or more (got ${options.bucketedFromRows})`);
  }
}

async function compareTables(client: Client, options: DiffSchemasOptions): Promise<SchemaDiff> {
  const names = { live: options.schema, restored: options.against };
  const match = await matchTables(client, names);
  const tables = selectTables(match, { ...names, tables: options.tables });
  const [liveKeys, restoredKeys] = [await readKeys(client, names.live), await readKeys(client, names.restored)];
  const diffs: TableDiff[] = [];
  for (const table of tables) {
    const key = chooseKey(table, liveKeys.get(table.table) ?? [], restoredKeys.get(table.table) ?? []);
    diffs.push(await diffTable(client, { ...names, match: table, key }, { samples: options.samples, bucketedFromRows: options.bucketedFromRows }));
    // A cancel may arrive just after the query finished: an aborted diff never returns a result.
    if (options.signal?.aborted) throw new AbortedError('diff aborted; nothing was changed');
  }
  return { schema: names.live, against: names.restored, tables: diffs, onlyInLive: match.onlyInLive, onlyInRestored: match.onlyInRestored };
}

/**
 * Compare a live schema with a schema restored from its past, table by table, inside the database:
 * rows deleted since (only in the restored schema), added since (only live), and changed (same key,
 * other content), with counts and a few sample keys. Rows are matched by the primary key, else by a
 * unique NOT NULL key, else whole (`keyKind: 'row'`, duplicates count, nothing `changed`); they are
 * compared on the columns both sides have. Tables and columns on one side only are listed. Read-only:
 * one REPEATABLE READ READ ONLY transaction holding ACCESS SHARE locks (never blocking writers), one
 * streaming query per table (two passes by buckets from `bucketedFromRows` rows), memory bounded
 * whatever the table size. Bad input (same schema twice,
 * an unknown schema or table, no common table) is an {@link InvalidInputError}.
 *
 * @example
 * const diff = await diffSchemas({ target: liveUrl, schema: 'customer_a1', against: 'customer_a1_20240128143000' });
 * for (const t of diff.tables) console.log(t.table, t.deleted, t.added, t.changed);
 */
export async function diffSchemas(options: DiffSchemasOptions): Promise<SchemaDiff> {
  checkOptions(options);
  const session = { role: 'target', applicationName: 'pg-schema-restore diff', signal: options.signal, abortedMessage: 'diff aborted; nothing was changed' };
  return withCancellableSession(options.target, session, async (client) => {
    await checkSchemasExist(client, [{ schema: options.schema, option: '--schema' }, { schema: options.against, option: '--against' }]);
    // Which tables to lock is read before the transaction: its snapshot must start after the locks.
    const planned = selectTables(await matchTables(client, { live: options.schema, restored: options.against }),
      { live: options.schema, restored: options.against, tables: options.tables });
    const relations = comparedRelations(planned, { live: options.schema, restored: options.against });
    const read = { relations, schemas: [options.schema, options.against], lockTimeoutMs: options.lockTimeoutMs, signal: options.signal };
    return withConsistentRead(client, read, () => compareTables(client, options));
  });
}
