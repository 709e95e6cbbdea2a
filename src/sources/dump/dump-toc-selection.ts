import { ArchiveToc, TocEntry } from './dump-archive-toc';

/** What to take from an archive. */
export interface TocSelection {
  /** Schemas restored whole: definitions, data, comments, grants. */
  readonly schemas: ReadonlySet<string>;
  /** Schemas created (with their comment and grants) but left empty, because a kept extension lives in them. */
  readonly emptySchemas?: ReadonlySet<string>;
}

/**
 * Schema-less objects kept whatever the schemas: extensions (the restored DDL may use their types
 * and functions), procedural languages, and foreign-data wrappers, servers and user mappings
 * (foreign tables need them). Casts, event triggers, publications, subscriptions, large objects,
 * database-wide settings and default privileges belong to the database as a whole and are left out.
 */
const SCHEMALESS_KEPT = new Set(['EXTENSION', 'PROCEDURAL LANGUAGE', 'FOREIGN DATA WRAPPER', 'FOREIGN SERVER', 'SERVER', 'USER MAPPING']);

/** Tags of COMMENT / ACL / SECURITY LABEL entries about kept schema-less objects. */
const SCHEMALESS_TAG_PREFIXES = ['EXTENSION ', 'LANGUAGE ', 'FOREIGN DATA WRAPPER ', 'FOREIGN SERVER ', 'SERVER '];

const ABOUT_ANOTHER_OBJECT = new Set(['COMMENT', 'ACL', 'SECURITY LABEL']);

function keepsSchema(selection: TocSelection, name: string): boolean {
  return selection.schemas.has(name) || (selection.emptySchemas?.has(name) ?? false);
}

/**
 * Whether a restore of the selection keeps a TOC entry: every entry in a selected schema, the
 * selected schemas themselves (and their comments and grants), and the schema-less objects listed
 * in {@link SCHEMALESS_KEPT} with their comments. Pure.
 *
 * @example
 * isEntrySelected(entry, { schemas: new Set(['customer_a1', 'public']) });
 */
export function isEntrySelected(entry: TocEntry, selection: TocSelection): boolean {
  if (entry.namespace !== undefined) return selection.schemas.has(entry.namespace);
  if (entry.desc === 'SCHEMA') return keepsSchema(selection, entry.tag);
  if (SCHEMALESS_KEPT.has(entry.desc)) return true;
  if (!ABOUT_ANOTHER_OBJECT.has(entry.desc)) return false;
  if (entry.tag.startsWith('SCHEMA ')) return keepsSchema(selection, entry.tag.slice('SCHEMA '.length));
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
