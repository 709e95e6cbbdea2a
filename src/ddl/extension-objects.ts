import { ClientBase } from 'pg';
import type { KeptNames } from './rename-edits';
import { formatIdentifier, loadSqlParser } from './sql-tokens';
import { InvalidInputError } from '../errors';

/** An extension whose objects live in a restored schema. */
export interface ExtensionPlacement {
  readonly extension: string;
  /** The schema its objects are in (usually the extension's own schema). */
  readonly schema: string;
}

/** What {@link extensionObjects} found in a set of schemas. */
export interface ExtensionObjects {
  /** Each extension with objects in the schemas, once per schema. */
  readonly extensions: ExtensionPlacement[];
  /**
   * `'schema.name'` of every object of those extensions: types, functions, operators, operator
   * classes and families, tables, collations, text search objects, conversions. A name that an
   * object outside the extension shares (a user's overload of an extension function) is left out,
   * so that object is renamed with its schema rather than written into the live one.
   */
  readonly keep: KeptNames;
}

// Every named object of the schemas, with the catalog row that pg_depend records extension
// membership on: a table's row type is a member through its table, an array type through its element.
const NAMED_OBJECTS = `
  SELECT CASE WHEN t.typrelid <> 0 THEN 'pg_class'::regclass ELSE 'pg_type'::regclass END AS classid,
         CASE WHEN t.typrelid <> 0 THEN t.typrelid WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END AS objid,
         t.typnamespace AS nsp, t.typname AS name FROM pg_type t
  UNION ALL SELECT 'pg_proc'::regclass, oid, pronamespace, proname FROM pg_proc
  UNION ALL SELECT 'pg_operator'::regclass, oid, oprnamespace, oprname FROM pg_operator
  UNION ALL SELECT 'pg_opclass'::regclass, oid, opcnamespace, opcname FROM pg_opclass
  UNION ALL SELECT 'pg_opfamily'::regclass, oid, opfnamespace, opfname FROM pg_opfamily
  UNION ALL SELECT 'pg_class'::regclass, oid, relnamespace, relname FROM pg_class
  UNION ALL SELECT 'pg_collation'::regclass, oid, collnamespace, collname FROM pg_collation
  UNION ALL SELECT 'pg_conversion'::regclass, oid, connamespace, conname FROM pg_conversion
  UNION ALL SELECT 'pg_ts_config'::regclass, oid, cfgnamespace, cfgname FROM pg_ts_config
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid, dictnamespace, dictname FROM pg_ts_dict
  UNION ALL SELECT 'pg_ts_parser'::regclass, oid, prsnamespace, prsname FROM pg_ts_parser
  UNION ALL SELECT 'pg_ts_template'::regclass, oid, tmplnamespace, tmplname FROM pg_ts_template`;

/**
 * The objects in `schemas` that belong to an extension (pg_depend deptype `e`), read from the
 * catalog of `client` — at the source, inside the restore's snapshot.
 *
 * @example
 * const { extensions, keep } = await extensionObjects(snapshot.client, ['public']);
 * // extensions: [{ extension: 'hstore', schema: 'public' }]; keep: Set { 'public.hstore', 'public.->', ... }
 */
export async function extensionObjects(client: ClientBase, schemas: readonly string[]): Promise<ExtensionObjects> {
  const { rows } = await client.query<{ schema: string; name: string; extension: string; only_extension: boolean }>(
    `WITH objects AS (${NAMED_OBJECTS})
     SELECT n.nspname::text AS schema, o.name::text AS name, min(e.extname)::text AS extension,
       bool_and(e.oid IS NOT NULL) AS only_extension
     FROM objects o JOIN pg_namespace n ON n.oid = o.nsp
     LEFT JOIN pg_depend d ON d.classid = o.classid AND d.objid = o.objid AND d.objsubid = 0 AND d.deptype = 'e'
     LEFT JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
     WHERE n.nspname = ANY($1::text[])
     GROUP BY n.nspname, o.name
     HAVING bool_or(e.oid IS NOT NULL)
     ORDER BY 1, 2`, [schemas]);
  const placements = new Map(rows.map((r) => [`${r.extension}\0${r.schema}`, { extension: r.extension, schema: r.schema }]));
  return {
    extensions: [...placements.values()].sort((a, b) => a.schema.localeCompare(b.schema) || a.extension.localeCompare(b.extension)),
    keep: new Set(rows.filter((r) => r.only_extension).map((r) => `${r.schema}.${r.name}`)),
  };
}

/** Options of {@link extensionsInPlace}. */
export interface ExtensionsInPlaceOptions {
  /** The source, inside the restore's snapshot. */
  readonly source: ClientBase;
  readonly target: ClientBase;
  /** Schemas restored, and the name each is restored as (same order). */
  readonly schemas: readonly string[];
  readonly restored: readonly string[];
}

/** References to keep, and one warning per extension that stays where it is. */
export interface ExtensionsInPlace {
  readonly keep: KeptNames;
  readonly warnings: string[];
}

/**
 * Extensions are used where they are, never copied: the restored schemas refer to the live
 * database's extension objects (`foo.hstore`), so the target must have each extension `found` at
 * the source in the same schema. When one is missing or elsewhere, one line names the fix and an
 * `InvalidInputError` (`EXTENSION_MISSING`) is thrown; otherwise one warning per extension is returned.
 *
 * @example
 * const warnings = await checkTargetExtensions(target, await extensionObjects(source, ['foo']), () => 'foo_20240128143000');
 * // ['extension hstore stays in schema foo; the restored foo_20240128143000 uses it there']
 */
export async function checkTargetExtensions(
  target: ClientBase, found: ExtensionObjects, restoredName: (schema: string) => string,
): Promise<string[]> {
  const { extensions } = found;
  if (extensions.length === 0) return [];
  const atTarget = await extensionObjects(target, extensions.map((e) => e.schema));
  const present = new Set(atTarget.extensions.map((e) => `${e.extension}\0${e.schema}`));
  const missing = extensions.filter((e) => !present.has(`${e.extension}\0${e.schema}`));
  if (missing.length > 0) throw new InvalidInputError(await missingExtensionsMessage(target, missing), { code: 'EXTENSION_MISSING' });
  return extensions.map((e) => `extension ${e.extension} stays in schema ${e.schema}; the restored ${restoredName(e.schema)} uses it there`);
}

/**
 * The restore's one call: the extension objects of the restored schemas at the source, checked
 * against the target before anything is written ({@link checkTargetExtensions}).
 *
 * @example
 * const { keep, warnings } = await extensionsInPlace({ source: snapshot.client, target, schemas: ['foo'], restored: ['foo_20240128143000'] });
 * const final = await splitDdl(ddl, { rename: { foo: 'foo_20240128143000' }, keep });
 */
export async function extensionsInPlace(options: ExtensionsInPlaceOptions): Promise<ExtensionsInPlace> {
  const found = await extensionObjects(options.source, options.schemas);
  const restoredName = (schema: string) => options.restored[options.schemas.indexOf(schema)] ?? schema;
  return { keep: found.keep, warnings: await checkTargetExtensions(options.target, found, restoredName) };
}

/** One line: which extensions the target lacks in which schema, and the statements that fix it. */
async function missingExtensionsMessage(target: ClientBase, missing: readonly ExtensionPlacement[]): Promise<string> {
  await loadSqlParser(); // formatIdentifier asks PostgreSQL's lexer
  const { rows } = await target.query<{ extension: string; schema: string }>(
    `SELECT e.extname::text AS extension, n.nspname::text AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = ANY($1::text[])`, [missing.map((m) => m.extension)]);
  const installedIn = new Map(rows.map((r) => [r.extension, r.schema]));
  const schemas = await target.query<{ name: string }>('SELECT nspname::text AS name FROM pg_namespace WHERE nspname = ANY($1::text[])', [missing.map((m) => m.schema)]);
  const existing = new Set(schemas.rows.map((r) => r.name));
  const problems = missing.map((m) => {
    const elsewhere = installedIn.get(m.extension);
    return elsewhere === undefined
      ? `extension ${m.extension} (schema ${m.schema}) is not installed in the target`
      : `extension ${m.extension} is in schema ${elsewhere} in the target, not in ${m.schema}`;
  });
  const fixes = missing.map((m) => (installedIn.has(m.extension)
    ? `ALTER EXTENSION ${formatIdentifier(m.extension)} SET SCHEMA ${formatIdentifier(m.schema)}`
    : `${existing.has(m.schema) ? '' : `CREATE SCHEMA ${formatIdentifier(m.schema)}; `}CREATE EXTENSION ${formatIdentifier(m.extension)} SCHEMA ${formatIdentifier(m.schema)}`));
  return `${problems.join('; ')}; the restored schema uses the target's extension objects rather than copies, ` +
    `so run ${fixes.join('; ')} in the target first (nothing was written)`;
}
