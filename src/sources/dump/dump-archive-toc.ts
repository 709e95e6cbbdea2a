import { archiveCorrupt } from './dump-archive-errors';
import { DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import type { RunsPostgresPrograms } from '../../run-options';

/** One line of an archive's table of contents (`pg_restore -l`). */
export interface TocEntry {
  readonly dumpId: number;
  /** Entry type: `TABLE`, `TABLE DATA`, `FK CONSTRAINT`, `EXTENSION`, `COMMENT`, ... */
  readonly desc: string;
  /** Schema of the object; undefined for schema-less entries (schemas, extensions, languages, ...). */
  readonly namespace?: string;
  /** Object name; for COMMENT / ACL / SECURITY LABEL entries the object type and name (`SCHEMA customer_a1`). */
  readonly tag: string;
  readonly owner: string;
  /** The line exactly as pg_restore printed it, for `pg_restore -L` lists. */
  readonly line: string;
}

/** What an archive's table of contents says. */
export interface ArchiveToc {
  /**
   * When pg_dump started. The archive stores the dumping machine's wall-clock time without a zone;
   * it is read as UTC (pg_restore runs with TZ=UTC), exact when pg_dump ran with TZ=UTC.
   */
  readonly createdAt: Date;
  /** Name of the dumped database (`dbname:` in the header). */
  readonly database?: string;
  /** Major version of the server that was dumped (`Dumped from database version:`). */
  readonly serverMajor?: number;
  readonly entries: TocEntry[];
  /** Schemas in the archive (SCHEMA entries and the namespaces of its objects), sorted. */
  readonly schemas: string[];
}

/** Entry types pg_dump writes, so that types of several words (`MATERIALIZED VIEW DATA`) are read whole. */
const ENTRY_TYPES = ['ACCESS METHOD', 'ACL', 'AGGREGATE', 'BLOB', 'BLOB DATA', 'BLOB METADATA', 'BLOBS', 'CAST', 'CHECK CONSTRAINT',
  'COLLATION', 'COMMENT', 'CONSTRAINT', 'CONVERSION', 'DATABASE', 'DATABASE PROPERTIES', 'DEFAULT', 'DEFAULT ACL', 'DOMAIN', 'ENCODING',
  'EVENT TRIGGER', 'EXTENSION', 'FK CONSTRAINT', 'FOREIGN DATA WRAPPER', 'FOREIGN SERVER', 'FOREIGN TABLE', 'FUNCTION', 'INDEX',
  'INDEX ATTACH', 'LARGE OBJECT', 'MATERIALIZED VIEW', 'MATERIALIZED VIEW DATA', 'OPERATOR', 'OPERATOR CLASS', 'OPERATOR FAMILY',
  'POLICY', 'PROCEDURAL LANGUAGE', 'PROCEDURE', 'PUBLICATION', 'PUBLICATION TABLE', 'PUBLICATION TABLES IN SCHEMA', 'ROW SECURITY',
  'RULE', 'SCHEMA', 'SEARCHPATH', 'SECURITY LABEL', 'SEQUENCE', 'SEQUENCE OWNED BY', 'SEQUENCE SET', 'SERVER', 'SHELL TYPE',
  'STATISTICS', 'STATISTICS DATA', 'STDSTRINGS', 'SUBSCRIPTION', 'SUBSCRIPTION TABLE', 'TABLE', 'TABLE ATTACH', 'TABLE DATA',
  'TEXT SEARCH CONFIGURATION', 'TEXT SEARCH DICTIONARY', 'TEXT SEARCH PARSER', 'TEXT SEARCH TEMPLATE', 'TRANSFORM', 'TRIGGER', 'TYPE',
  'USER MAPPING', 'VIEW'].sort((a, b) => b.length - a.length);

const ENTRY_LINE = /^(\d+); \d+ \d+ (.*)$/;

/** The longest of `names` that `text` starts with, followed by a space. */
function longestPrefix(text: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const name of names) if (text.startsWith(`${name} `) && (best === undefined || name.length > best.length)) best = name;
  return best;
}

/** `tag owner` → [tag, owner]; the owner is the last word (a schema or table name may hold spaces). */
function splitOwner(text: string): [string, string] {
  const at = text.lastIndexOf(' ');
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function parseEntry(line: string, schemas: ReadonlySet<string>): TocEntry | undefined {
  const match = ENTRY_LINE.exec(line);
  if (!match) return undefined;
  const desc = longestPrefix(match[2], ENTRY_TYPES) ?? match[2].split(' ')[0];
  const rest = match[2].slice(desc.length + 1);
  // The namespace is '-' or a schema name, which may contain spaces: match the archive's known schemas.
  const namespace = rest.startsWith('- ') ? undefined : longestPrefix(rest, schemas) ?? rest.split(' ')[0];
  const [tag, owner] = splitOwner(rest.slice((namespace ?? '-').length + 1));
  return { dumpId: Number(match[1]), desc, namespace, tag, owner, line };
}

/**
 * Parse the output of `pg_restore -l` (run with TZ=UTC). Pure.
 *
 * @example
 * const toc = parseArchiveToc(stdout);
 * toc.database; // 'tenant_a'
 * toc.entries.filter((e) => e.desc === 'TABLE DATA' && e.namespace === 'customer_a1').map((e) => e.tag);
 */
export function parseArchiveToc(text: string, where = 'the archive'): ArchiveToc {
  const lines = text.split('\n');
  const created = lines.map((l) => /^; Archive created at (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(l)).find(Boolean);
  if (!created) throw archiveCorrupt(`${where} has no readable table of contents (no "Archive created at" line)`);
  const [year, month, day, hour, minute, second] = created.slice(1).map(Number);
  const database = lines.map((l) => /^;\s+dbname: (.*)$/.exec(l)?.[1]).find((d) => d !== undefined);
  const serverVersion = lines.map((l) => /^;\s+Dumped from database version: (\d+)/.exec(l)?.[1]).find((v) => v !== undefined);
  const schemaNames = new Set<string>();
  for (const line of lines) {
    const entry = parseEntry(line, new Set());
    if (entry?.desc === 'SCHEMA' && entry.namespace === undefined) schemaNames.add(entry.tag);
  }
  const entries = lines.map((l) => parseEntry(l, schemaNames)).filter((e): e is TocEntry => e !== undefined);
  for (const entry of entries) if (entry.namespace !== undefined) schemaNames.add(entry.namespace);
  return {
    createdAt: new Date(Date.UTC(year, month - 1, day, hour, minute, second)),
    database,
    serverMajor: serverVersion !== undefined ? Number(serverVersion) : undefined,
    entries,
    schemas: [...schemaNames].sort(),
  };
}

/**
 * Read an archive's table of contents with `pg_restore -l` (only its start is read; from S3 a ranged read, see `onArchiveHead`).
 *
 * @example
 * const toc = await readArchiveToc(archive, { binaries });
 */
export async function readArchiveToc(archive: DumpArchive, options: RunsPostgresPrograms): Promise<ArchiveToc> {
  const { stdout } = await runPgRestore(archive, ['-l'], { ...options, tocOnly: true });
  return parseArchiveToc(stdout, archive.location.display);
}
