import { ArchiveToc, TocEntry } from './dump-archive-toc';

/** What to take from an archive. */
export interface TocSelection {
  /** Schemas restored whole: definitions, data, comments, grants. */
  readonly schemas: ReadonlySet<string>;
  /** Schemas created (with their comment and grants) but left empty, because a kept extension lives in them. */
  readonly emptySchemas?: ReadonlySet<string>;
  /** Large objects (all of them: they belong to the database, not a schema) with their owners, grants and comments. @default false */
  readonly largeObjects?: boolean;
}

/**
 * Schema-less objects kept whatever the schemas: extensions (the restored DDL may use their types
 * and functions), procedural languages, and foreign-data wrappers, servers and user mappings
 * (foreign tables need them). Casts, event triggers, publications, subscriptions, database-wide
 * settings and default privileges belong to the database as a whole and are left out; large
 * objects too, unless asked for (restored rows may refer to them).
 */
const SCHEMALESS_KEPT = new Set(['EXTENSION', 'PROCEDURAL LANGUAGE', 'FOREIGN DATA WRAPPER', 'FOREIGN SERVER', 'SERVER', 'USER MAPPING']);

/** Tags of COMMENT / ACL / SECURITY LABEL entries about kept schema-less objects. */
const SCHEMALESS_TAG_PREFIXES = ['EXTENSION ', 'LANGUAGE ', 'FOREIGN DATA WRAPPER ', 'FOREIGN SERVER ', 'SERVER '];

const ABOUT_ANOTHER_OBJECT = new Set(['COMMENT', 'ACL', 'SECURITY LABEL']);

/** Entry types of large objects: PostgreSQL ≤ 16 writes `BLOB` + `BLOBS`, 17 `BLOB METADATA` + `BLOBS`. */
const LARGE_OBJECT_ENTRIES = new Set(['BLOB', 'BLOBS', 'BLOB DATA', 'BLOB METADATA', 'LARGE OBJECT']);

/**
 * The schema name in a COMMENT / ACL tag: pg_dump writes it as an identifier, quoted when it must
 * be (`SCHEMA "acme-corp"`), while SCHEMA entries carry it bare (`acme-corp`).
 */
function schemaOfTag(tag: string): string {
  const name = tag.slice('SCHEMA '.length);
  return /^".*"$/s.test(name) ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** Whether an entry is a large object or its comment, grants or security label. */
export function isLargeObjectEntry(entry: TocEntry): boolean {
  return LARGE_OBJECT_ENTRIES.has(entry.desc) || (ABOUT_ANOTHER_OBJECT.has(entry.desc) && entry.tag.startsWith('LARGE OBJECT '));
}

function keepsSchema(selection: TocSelection, name: string): boolean {
  return selection.schemas.has(name) || (selection.emptySchemas?.has(name) ?? false);
}

/**
 * Whether a restore of the selection keeps a TOC entry: every entry in a selected schema, the
 * selected schemas themselves (and their comments and grants), the schema-less objects listed
 * in {@link SCHEMALESS_KEPT} with their comments, and large objects when selected. Pure.
 *
 * @example
 * isEntrySelected(entry, { schemas: new Set(['customer_a1', 'public']) });
 */
export function isEntrySelected(entry: TocEntry, selection: TocSelection): boolean {
  if (entry.namespace !== undefined) return selection.schemas.has(entry.namespace);
  if (isLargeObjectEntry(entry)) return selection.largeObjects ?? false;
  if (entry.desc === 'SCHEMA') return keepsSchema(selection, entry.tag);
  if (SCHEMALESS_KEPT.has(entry.desc)) return true;
  if (!ABOUT_ANOTHER_OBJECT.has(entry.desc)) return false;
  if (entry.tag.startsWith('SCHEMA ')) return keepsSchema(selection, schemaOfTag(entry.tag));
  return SCHEMALESS_TAG_PREFIXES.some((prefix) => entry.tag.startsWith(prefix));
}

/**
 * A `pg_restore -L` list for the selection: every entry in its original order (so a stream that
 * cannot seek is still read front to back), the unwanted ones commented out with `;`.
 *
 * @example
 * writeFileSync(listFile, tocListFor(toc, { schemas: new Set(['customer_a1']) }));
 */
export function tocListFor(toc: ArchiveToc, selection: TocSelection): string {
  return toc.entries.map((e) => (isEntrySelected(e, selection) ? e.line : `;${e.line}`)).join('\n') + '\n';
}
