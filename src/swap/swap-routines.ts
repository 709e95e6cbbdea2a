import type { ClientBase } from 'pg';
import { mentions } from '../ddl/rename-edits';
import { renameSchemasInSql, SchemaRenames } from '../ddl/rename-schemas';

/** The routines a swap redefines, and what could not be rewritten with certainty. */
export interface RoutineRewrites {
  /** `CREATE OR REPLACE` statements, to run once the schemas carry their new names. */
  readonly statements: string[];
  /** The routines, `schema.name(args)` under their new schema names. */
  readonly routines: string[];
  readonly warnings: string[];
}

/**
 * Read, before the renames, the routines of the swapped schemas whose body or `SET search_path`
 * names one of them, and rewrite them with the restore's parser-based rename so that each side
 * refers only to itself afterwards. `CREATE OR REPLACE` keeps each routine's OID, owner, grants and
 * comment. Routines of extensions, C routines and `BEGIN ATOMIC` bodies (bound by OID, they follow
 * the rename by themselves) are left alone.
 *
 * @example
 * const { statements } = await routineRewrites(client, new Map([['customer_a1', 'customer_a1_replaced_20241127225700'], ['customer_a1_r', 'customer_a1']]));
 */
export async function routineRewrites(client: ClientBase, renames: SchemaRenames): Promise<RoutineRewrites> {
  const { rows } = await client.query<{ schema: string; signature: string; text: string; def: string }>(
    `SELECT n.nspname AS schema, format('%s(%s)', quote_ident(p.proname), pg_get_function_identity_arguments(p.oid)) AS signature,
            p.prosrc || ' ' || coalesce(array_to_string(p.proconfig, ' '), '') AS text, pg_get_functiondef(p.oid) AS def
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
      WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('f', 'p') AND l.lanname NOT IN ('c', 'internal')
        AND to_jsonb(p) ->> 'prosqlbody' IS NULL
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
      ORDER BY p.oid`, [[...renames.keys()]]);
  const statements: string[] = [];
  const routines: string[] = [];
  const warnings: string[] = [];
  const named = rows.filter((r) => mentions(r.text, renames)).map((r) => ({ ...r, name: `${renames.get(r.schema)}.${r.signature}` }));
  for (const row of named.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const renamed = renameSchemasInSql(row.def, renames, `routine ${row.name}`);
    statements.push(renamed.text);
    routines.push(row.name);
    warnings.push(...renamed.warnings);
  }
  return { statements, routines, warnings };
}
