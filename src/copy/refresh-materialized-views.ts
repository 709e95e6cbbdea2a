import { ClientBase } from 'pg';
import { checkSchemaMappings, SchemaMapping, targetSchemaOf } from './schema-mapping';
import { ClientOrConnection, useConnection } from './use-connection';
import { AbortedError, CopyError } from '../errors';
import { safeListener } from '../progress';
import { quoteQualified } from '../quote';
import type { Abortable, WithProgress } from '../run-options';

/** Options of {@link refreshMaterializedViews}. */
export interface RefreshMaterializedViewsOptions extends Abortable, WithProgress {
  readonly target: ClientOrConnection;
  /** Source schema → staging schema in the target holding the materialized views. */
  readonly schemas: readonly SchemaMapping[];
  /** Materialized views populated at the source (source schema names); the others stay unpopulated. */
  readonly populated: readonly { readonly schema: string; readonly name: string }[];
}

/** A refreshed materialized view (source schema and name). */
export interface RefreshedMaterializedView {
  readonly schema: string;
  readonly name: string;
  readonly durationMs: number;
}

interface MatviewNode {
  readonly oid: number;
  /** Target schema. */
  readonly schema: string;
  readonly name: string;
  readonly populated: boolean;
}

/**
 * Materialized views of the target schemas in an order where each comes after every materialized view
 * it reads, directly or through views (dependencies of their rewrite rules in pg_depend).
 */
async function dependencyOrder(client: ClientBase, targetSchemas: string[]): Promise<MatviewNode[]> {
  const nodes = (await client.query<MatviewNode>(
    `SELECT c.oid::int8::float8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relispopulated AS populated
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'm' AND n.nspname::text = ANY($1::text[])
     ORDER BY array_position($1::text[], n.nspname::text), c.relname`, [targetSchemas])).rows;
  const edges = (await client.query<{ dependent: number; dependency: number }>(
    `WITH RECURSIVE reads(dependent, relation) AS (
       SELECT r.ev_class, d.refobjid FROM pg_rewrite r
         JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
       WHERE r.ev_class = ANY($1::oid[]) AND d.refobjid <> r.ev_class
       UNION
       SELECT reads.dependent, d.refobjid FROM reads
         JOIN pg_class v ON v.oid = reads.relation AND v.relkind = 'v'
         JOIN pg_rewrite r ON r.ev_class = v.oid
         JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
       WHERE d.refobjid <> v.oid)
     SELECT DISTINCT dependent::int8::float8 AS dependent, relation::int8::float8 AS dependency
     FROM reads WHERE relation = ANY($1::oid[]) AND relation <> dependent`, [nodes.map((n) => n.oid)])).rows;
  const pending = new Map(nodes.map((n) => [n.oid, new Set<number>()]));
  for (const e of edges) pending.get(e.dependent)!.add(e.dependency);
  const ordered: MatviewNode[] = [];
  while (ordered.length < nodes.length) {
    const ready = nodes.filter((n) => pending.get(n.oid)?.size === 0);
    // PostgreSQL cannot create a cycle between materialized views; guard against looping anyway.
    if (ready.length === 0) throw new CopyError(nodes[0].schema, nodes[0].name, 'materialized views depend on each other in a cycle', { code: 'REFRESH_FAILED' });
    for (const n of ready) {
      ordered.push(n);
      pending.delete(n.oid);
      for (const deps of pending.values()) deps.delete(n.oid);
    }
  }
  return ordered;
}

/**
 * Fill the materialized views of the staging schemas that were populated at the source (`REFRESH
 * MATERIALIZED VIEW`, after the tables are copied), each after the materialized views it reads.
 * The others are left — or made — unpopulated, as at the source. Returns the refreshed ones in
 * refresh order.
 *
 * @example
 * const populated = (await listMaterializedViews(snapshot.client, 'customer_a1')).filter((m) => m.populated);
 * await refreshMaterializedViews({ target: targetUrl, schemas: [{ source: 'customer_a1', target: 'customer_a1_staging' }], populated });
 */
export async function refreshMaterializedViews(options: RefreshMaterializedViewsOptions): Promise<RefreshedMaterializedView[]> {
  const { schemas, signal } = options;
  checkSchemaMappings(schemas);
  const emit = safeListener(options.onProgress);
  const key = (schema: string, name: string): string => JSON.stringify([schema, name]);
  const wanted = new Map(options.populated.map((m) => [key(targetSchemaOf(schemas, m.schema), m.name), m]));
  return useConnection(options.target, { role: 'target' }, async (client) => {
    const order = await dependencyOrder(client, schemas.map((s) => s.target));
    const present = new Set(order.map((n) => key(n.schema, n.name)));
    const missing = options.populated.find((m) => !present.has(key(targetSchemaOf(schemas, m.schema), m.name)));
    if (missing) {
      throw new CopyError(missing.schema, missing.name, `materialized view ${missing.name} does not exist in ${targetSchemaOf(schemas, missing.schema)} ` +
        'in the target; the pre-data DDL should have created it', { code: 'REFRESH_FAILED' });
    }
    const refreshed: RefreshedMaterializedView[] = [];
    const refresh = async (node: MatviewNode, withData: boolean): Promise<void> => {
      if (signal?.aborted) throw new AbortedError('refresh of materialized views aborted');
      try {
        await client.query(`REFRESH MATERIALIZED VIEW ${quoteQualified(node.schema, node.name)}${withData ? '' : ' WITH NO DATA'}`);
      } catch (err) {
        const sourceSchema = schemas.find((m) => m.target === node.schema)!.source;
        throw new CopyError(sourceSchema, node.name, `refreshing materialized view ${node.schema}.${node.name} failed: ${(err as Error).message}`,
          { cause: err, code: 'REFRESH_FAILED' });
      }
    };
    for (const node of order.filter((n) => wanted.has(key(n.schema, n.name)))) {
      const { schema, name } = wanted.get(key(node.schema, node.name))!;
      emit({ type: 'log', level: 'info', message: `refreshing materialized view ${schema}.${name}` });
      const startedAt = Date.now();
      await refresh(node, true);
      refreshed.push({ schema, name, durationMs: Date.now() - startedAt });
    }
    // Created populated by hand-written DDL but empty at the source: empty it, after its readers are refreshed.
    for (const node of order.filter((n) => n.populated && !wanted.has(key(n.schema, n.name)))) await refresh(node, false);
    return refreshed;
  });
}
