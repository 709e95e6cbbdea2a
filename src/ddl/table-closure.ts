import type { ClientBase } from 'pg';
import { KeptObjects, objectKey } from './select-statements';
import { ObjectKind } from './statement-subject';
import { InvalidInputError } from '../errors';

/** A table chosen for a table-level restore (a view, materialized view or sequence may be chosen too). */
export interface ChosenTable {
  readonly schema: string;
  readonly table: string;
}

/** What a table-level restore keeps: the objects by key, and the relations of each schema by name. */
export interface TableClosure {
  readonly keep: KeptObjects;
  /** Per source schema, the relations kept (tables, sequences, views, indexes), by name. */
  readonly relations: ReadonlyMap<string, ReadonlySet<string>>;
  /** The objects kept besides relations, `kind schema.name`, for plans and reports. */
  readonly needed: string[];
  /**
   * Kept functions whose body is text (PL/pgSQL, or SQL not written `BEGIN ATOMIC`), `schema.name`:
   * the catalog does not know which tables or sequences such a body uses, so those are not brought
   * along unless chosen too.
   */
  readonly textBodies: string[];
}

/** Of the kept functions, those with a body the server keeps as text; `prosqlbody` read through to_jsonb, which PostgreSQL 13 lacks. */
const TEXT_BODIES = `SELECT DISTINCT n.nspname::text || '.' || p.proname::text AS name
  FROM unnest($1::text[], $2::text[]) AS f(schema, name)
  JOIN pg_namespace n ON n.nspname = f.schema JOIN pg_proc p ON p.pronamespace = n.oid AND p.proname = f.name
  JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname NOT IN ('internal', 'c') AND to_jsonb(p) ->> 'prosqlbody' IS NULL ORDER BY 1`;

/*
 * From the chosen relations, follow pg_depend both ways:
 * - down to their parts: what depends on a kept object automatically or internally (indexes,
 *   constraints, triggers, policies, defaults, owned and identity sequences, rules, partitions);
 * - up to what a kept object needs (deptype n/a/i): column types, domains, functions of defaults,
 *   checks and triggers, sequences of defaults, a view's tables — but never the table or index a
 *   foreign key references: that key is left out instead.
 * Schemas and extensions are not followed (an extension's objects stay where they are).
 */
const CLOSURE = `WITH RECURSIVE kept(classid, objid) AS (
    SELECT 'pg_class'::regclass::oid, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN unnest($1::text[], $2::text[]) AS t(schema, name) ON n.nspname = t.schema AND c.relname = t.name
  UNION
    SELECT CASE WHEN d.refclassid = k.classid AND d.refobjid = k.objid THEN d.classid ELSE d.refclassid END,
           CASE WHEN d.refclassid = k.classid AND d.refobjid = k.objid THEN d.objid ELSE d.refobjid END
    FROM kept k JOIN pg_depend d ON
      (d.refclassid = k.classid AND d.refobjid = k.objid AND d.deptype IN ('a', 'i'))
      OR (d.classid = k.classid AND d.objid = k.objid AND d.deptype IN ('n', 'a', 'i')
        AND d.refclassid NOT IN ('pg_namespace'::regclass, 'pg_extension'::regclass)
        AND NOT (d.classid = 'pg_constraint'::regclass AND d.refclassid = 'pg_class'::regclass
          AND EXISTS (SELECT 1 FROM pg_constraint f WHERE f.oid = d.objid AND f.contype = 'f' AND f.conrelid <> d.refobjid)))
)
SELECT 'relation' AS kind, c.relnamespace AS ns, c.relname::text AS name, c.relkind::text AS relkind
  FROM kept k JOIN pg_class c ON k.classid = 'pg_class'::regclass AND c.oid = k.objid AND c.relkind <> 'c'
-- Types without a statement of their own (arrays, tables' row types) are left out.
UNION ALL SELECT 'type', t.typnamespace, t.typname::text, NULL FROM kept k JOIN pg_type t ON k.classid = 'pg_type'::regclass AND t.oid = k.objid
  AND NOT (t.typcategory = 'A' AND t.typelem <> 0) AND (t.typrelid = 0 OR t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
UNION ALL SELECT 'function', p.pronamespace, p.proname::text, NULL FROM kept k JOIN pg_proc p ON k.classid = 'pg_proc'::regclass AND p.oid = k.objid
UNION ALL SELECT 'operator', o.oprnamespace, o.oprname::text, NULL FROM kept k JOIN pg_operator o ON k.classid = 'pg_operator'::regclass AND o.oid = k.objid
UNION ALL SELECT 'collation', l.collnamespace, l.collname::text, NULL FROM kept k JOIN pg_collation l ON k.classid = 'pg_collation'::regclass AND l.oid = k.objid
UNION ALL SELECT 'statistics', s.stxnamespace, s.stxname::text, NULL FROM kept k JOIN pg_statistic_ext s ON k.classid = 'pg_statistic_ext'::regclass AND s.oid = k.objid`;

/** Refuse a chosen name that is not a table, view, materialized view or sequence at the source (TABLE_NOT_FOUND). */
async function checkChosenExist(client: ClientBase, chosen: readonly ChosenTable[], where: string): Promise<void> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT t.schema, t.name FROM unnest($1::text[], $2::text[]) AS t(schema, name)
     WHERE NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = t.schema AND c.relname = t.name AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))`,
    [chosen.map((c) => c.schema), chosen.map((c) => c.table)]);
  if (rows.length > 0) {
    throw new InvalidInputError(`table "${rows[0].schema}.${rows[0].name}" does not exist in ${where}; check the name (schema.table, case-sensitive)`, { code: 'TABLE_NOT_FOUND' });
  }
}

export interface TableClosureOptions {
  readonly chosen: readonly ChosenTable[];
  /** The restored schemas (source names): only their objects are kept. */
  readonly schemas: readonly string[];
  /** The source in words, for the error. @default 'the source' */
  readonly where?: string;
}

/**
 * The dependency closure of the chosen tables at the source, from its catalog (run it inside the
 * restore's snapshot): the tables with their indexes, constraints, triggers, policies, owned and
 * identity sequences, and the types, domains, sequences and functions their columns, defaults,
 * checks and triggers need — of the restored `schemas` only. Throws TABLE_NOT_FOUND for a name
 * that is not a table, view or materialized view there.
 *
 * @example
 * const closure = await tableClosure(snapshot.client, { chosen: [{ schema: 'customer_a1', table: 'orders' }], schemas: ['customer_a1'] });
 * closure.relations.get('customer_a1'); // Set { 'orders', 'orders_pkey', 'orders_id_seq', … }
 */
export async function tableClosure(client: ClientBase, o: TableClosureOptions): Promise<TableClosure> {
  await checkChosenExist(client, o.chosen, o.where ?? 'the source');
  const { rows } = await client.query<{ kind: ObjectKind; schema: string; name: string; relkind: string | null }>(
    `SELECT x.kind, n.nspname::text AS schema, x.name, x.relkind FROM (${CLOSURE}) x JOIN pg_namespace n ON n.oid = x.ns
     WHERE n.nspname = ANY($3::text[]) ORDER BY 1, 2, 3`,
    [o.chosen.map((c) => c.schema), o.chosen.map((c) => c.table), o.schemas]);
  const relations = new Map<string, Set<string>>(o.schemas.map((s) => [s, new Set<string>()]));
  const needed: string[] = [];
  const chosen = new Set(o.chosen.map((c) => `${c.schema}.${c.table}`));
  for (const r of rows) {
    if (r.kind === 'relation') relations.get(r.schema)?.add(r.name);
    const shown = r.kind !== 'relation' ? r.kind : ({ S: 'sequence', r: 'table', p: 'table', f: 'table', v: 'view', m: 'view' } as Record<string, string>)[r.relkind ?? ''];
    if (shown && !chosen.has(`${r.schema}.${r.name}`)) needed.push(`${shown} ${r.schema}.${r.name}`);
  }
  const functions = rows.filter((r) => r.kind === 'function');
  const textBodies = functions.length === 0 ? []
    : (await client.query<{ name: string }>(TEXT_BODIES, [functions.map((f) => f.schema), functions.map((f) => f.name)])).rows.map((r) => r.name);
  return { keep: new Set(rows.map((r) => objectKey(r))), relations, needed: [...new Set(needed)], textBodies };
}
