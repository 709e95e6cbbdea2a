import type { ClientBase } from 'pg';
import type { ManifestExtension } from './backup-manifest';

/** What one schema's objects use from outside it. */
export interface SchemaDependencies {
  /** Other schemas holding types, functions, tables, … its objects depend on (sorted). */
  readonly dependsOn: string[];
  /** Extensions whose objects (e.g. the `citext` type) its objects use: a per-schema archive does not create them. */
  readonly extensions: ManifestExtension[];
}

/** The schema an object of a catalog lives in (directly, or through the table it belongs to). */
const NAMESPACE_OF = (classid: string, objid: string): string => `CASE ${classid}
  WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = ${objid})
  WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = ${objid})
  WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = ${objid})
  WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid = ${objid})
  WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation WHERE oid = ${objid})
  WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = ${objid})
  WHEN 'pg_namespace'::regclass THEN ${objid}
  WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = ${objid})
  WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = ${objid})
  WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = ${objid})
  WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.oid = ${objid})
END`;

/** Every (schema, schema it depends on, extension of the object it uses) from pg_depend's normal and automatic dependencies. */
const DEPENDENCIES = `WITH deps AS (
  SELECT d.refclassid, d.refobjid,
         ${NAMESPACE_OF('d.classid', 'd.objid')} AS ns,
         ${NAMESPACE_OF('d.refclassid', 'd.refobjid')} AS refns
  FROM pg_depend d WHERE d.deptype IN ('n', 'a')
)
SELECT DISTINCT n.nspname AS schema, rn.nspname AS depends_on, e.extname AS extension, en.nspname AS extension_schema
FROM deps
JOIN pg_namespace n ON n.oid = deps.ns
JOIN pg_namespace rn ON rn.oid = deps.refns
LEFT JOIN pg_depend x ON x.classid = deps.refclassid AND x.objid = deps.refobjid AND x.deptype = 'e' AND x.refclassid = 'pg_extension'::regclass
LEFT JOIN pg_extension e ON e.oid = x.refobjid
LEFT JOIN pg_namespace en ON en.oid = e.extnamespace
WHERE (deps.ns <> deps.refns OR e.oid IS NOT NULL) AND rn.nspname NOT IN ('pg_catalog', 'information_schema') AND rn.nspname !~ '^pg_toast'`;

/**
 * For every schema of the database: the other schemas its objects depend on (column types,
 * foreign keys, functions, views, defaults, triggers, policies — from `pg_depend`) and the
 * extensions whose objects they use, wherever installed (also in the schema itself: a per-schema
 * archive never creates extensions). An extension's objects make a dependency on the extension,
 * not on the schema it lives in. One query for the whole database; run it in the backup's
 * snapshot. A restore of one schema from per-schema archives loads these first.
 *
 * @example
 * const deps = await schemaDependencies(snapshot.client);
 * deps.get('customer_a1'); // { dependsOn: ['public'], extensions: [{ name: 'citext', schema: 'public' }] }
 */
export async function schemaDependencies(client: ClientBase): Promise<Map<string, SchemaDependencies>> {
  type Row = { schema: string; depends_on: string; extension: string | null; extension_schema: string | null };
  const { rows } = await client.query<Row>(DEPENDENCIES);
  const found = new Map<string, { dependsOn: Set<string>; extensions: Map<string, string> }>();
  for (const row of rows) {
    const entry = found.get(row.schema) ?? { dependsOn: new Set(), extensions: new Map() };
    found.set(row.schema, entry);
    // An extension's object is there once the extension is created: its schema's archive is not needed for it.
    if (row.extension !== null && row.extension_schema !== null) entry.extensions.set(row.extension, row.extension_schema);
    else if (row.depends_on !== row.schema) entry.dependsOn.add(row.depends_on);
  }
  return new Map([...found].map(([schema, { dependsOn, extensions }]) => [schema, {
    dependsOn: [...dependsOn].sort(),
    extensions: [...extensions].sort(([a], [b]) => a.localeCompare(b)).map(([name, where]) => ({ name, schema: where })),
  }]));
}
