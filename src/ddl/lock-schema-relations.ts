import type { ClientBase } from 'pg';
import { quoteQualified } from '../quote';

/** A table or materialized view of a schema, as {@link schemaRelations} lists it. */
export interface SchemaRelation {
  readonly schema: string;
  readonly name: string;
  /** `r` table, `p` partitioned table, `m` materialized view. */
  readonly kind: 'r' | 'p' | 'm';
}

/** The table lock modes taken on whole schemas: readers' (backup, diff) and renamers' (swap). */
export type SchemaLockMode = 'ACCESS SHARE' | 'ACCESS EXCLUSIVE';

/** Options of {@link lockRelations}. */
export interface LockRelationsOptions {
  readonly mode: SchemaLockMode;
  /** Lock a plain table without its inheritance children (`LOCK TABLE ONLY`), as a query that reads `ONLY` it needs. @default false */
  readonly only?: boolean;
}

/** Options of {@link schemaRelations}. */
export interface SchemaRelationsOptions {
  readonly schemas: readonly string[];
  /** Materialized views too (locked in ACCESS SHARE mode only). @default false */
  readonly matviews?: boolean;
}

/** Options of {@link lockSchemaRelations}: which schemas, and how; materialized views only with ACCESS SHARE. */
export type LockSchemaRelationsOptions = Omit<LockRelationsOptions, 'mode'> & Pick<SchemaRelationsOptions, 'schemas'> & (
  | { readonly mode: 'ACCESS SHARE'; readonly matviews?: boolean }
  | { readonly mode: 'ACCESS EXCLUSIVE'; readonly matviews?: false });

/**
 * The tables (plain and partitioned, partitions included) and, with `matviews`, the materialized
 * views of the schemas, ordered by schema then name (every locker takes them in the same order).
 *
 * @example
 * await schemaRelations(client, { schemas: ['customer_a1'], matviews: true }); // [{ schema: 'customer_a1', name: 'orders', kind: 'r' }, …]
 */
export async function schemaRelations(client: ClientBase, options: SchemaRelationsOptions): Promise<SchemaRelation[]> {
  const { rows } = await client.query<SchemaRelation>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind = ANY($2::"char"[]) ORDER BY n.nspname, c.relname`,
    [options.schemas, options.matviews ? ['r', 'p', 'm'] : ['r', 'p']]);
  return rows;
}

/**
 * Lock relations in one `LOCK TABLE … IN <mode> MODE`; materialized views, which LOCK TABLE refuses,
 * by planning a query on each (`SELECT FROM … LIMIT 0` takes the same ACCESS SHARE lock). The wait is
 * bounded by the session's `lock_timeout`: the caller sets it and retries (see `retryLockWaits`).
 *
 * @example
 * await lockRelations(client, [{ schema: 'a', name: 't', kind: 'r' }], { mode: 'ACCESS SHARE', only: true }); // LOCK TABLE ONLY "a"."t" IN ACCESS SHARE MODE
 */
export async function lockRelations(client: ClientBase, relations: readonly SchemaRelation[], options: LockRelationsOptions): Promise<void> {
  const tables = relations.filter((r) => r.kind !== 'm').map((r) => `${options.only && r.kind === 'r' ? 'ONLY ' : ''}${quoteQualified(r.schema, r.name)}`);
  if (tables.length > 0) await client.query(`LOCK TABLE ${tables.join(', ')} IN ${options.mode} MODE`);
  for (const view of relations.filter((r) => r.kind === 'm')) await client.query(`SELECT FROM ${quoteQualified(view.schema, view.name)} LIMIT 0`);
}

/**
 * List the tables (and with `matviews` the materialized views) of schemas, then lock them all in
 * `mode`: what swap (ACCESS EXCLUSIVE, so that no transaction that used them still runs when they
 * change names) and backup (ACCESS SHARE, so its checksums never wait) do before their work. Run it
 * inside the caller's transaction, under its `lock_timeout`. Returns what it locked.
 *
 * @example
 * await inTransaction(client, async () => {
 *   await lockSchemaRelations(client, { schemas: ['customer_a1', 'customer_a1_20240128143000'], mode: 'ACCESS EXCLUSIVE' });
 *   // … ALTER SCHEMA … RENAME …
 * });
 */
export async function lockSchemaRelations(client: ClientBase, options: LockSchemaRelationsOptions): Promise<SchemaRelation[]> {
  const relations = await schemaRelations(client, options);
  await lockRelations(client, relations, options);
  return relations;
}
