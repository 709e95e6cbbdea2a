import { hostname } from 'node:os';
import { Client } from 'pg';
import { DdlStatement } from '../ddl/split-ddl';
import { quoteIdent, quoteLiteral } from '../quote';

/** Every staging schema's comment starts with this, followed by a {@link StagingMarker} as JSON. */
export const STAGING_MARKER_PREFIX = 'pg-schema-restore staging ';

/** Who built a staging schema: enough to tell whether that restore is still running. */
export interface StagingMarker {
  readonly restoreId: string;
  /** ISO 8601 time the restore started writing. */
  readonly started: string;
  /** Host name and process id of the restore. */
  readonly host: string;
  readonly pid: number;
}

/** A staging schema in a target, with its marker. */
export interface MarkedSchema extends StagingMarker {
  readonly schema: string;
}

/**
 * The marker of this process's restore.
 *
 * @example
 * stagingMarker('4f1c2a9e0b7d3c11'); // { restoreId: '4f1c…', started: '2026-…', host: 'ip-10-0-1-5', pid: 4242 }
 */
export function stagingMarker(restoreId: string, now: Date = new Date()): StagingMarker {
  return { restoreId, started: now.toISOString(), host: hostname(), pid: process.pid };
}

/** The schema comment that carries a marker. */
export function stagingMarkerText(marker: StagingMarker): string {
  return `${STAGING_MARKER_PREFIX}${JSON.stringify(marker)}`;
}

/** Parse a schema comment; undefined when it is not a staging marker. */
export function parseStagingMarker(comment: string | null | undefined): StagingMarker | undefined {
  if (!comment?.startsWith(STAGING_MARKER_PREFIX)) return undefined;
  try {
    const m = JSON.parse(comment.slice(STAGING_MARKER_PREFIX.length)) as Partial<StagingMarker>;
    if (typeof m.restoreId !== 'string' || typeof m.started !== 'string' || typeof m.host !== 'string' || typeof m.pid !== 'number') return undefined;
    return { restoreId: m.restoreId, started: m.started, host: m.host, pid: m.pid };
  } catch {
    return undefined;
  }
}

const commentOnSchema = (schema: string, text: string) => `COMMENT ON SCHEMA ${quoteIdent(schema)} IS ${quoteLiteral(text)}`;
const isSchemaComment = (s: DdlStatement) => s.type === 'CommentStmt' && /^\s*COMMENT\s+ON\s+SCHEMA\b/i.test(s.sql);

/**
 * The staging pre-data with the marker: written right after each `CREATE SCHEMA` (in the same
 * transaction), and the source's own `COMMENT ON SCHEMA` left out — {@link publishedSchemaComments}
 * puts it back at publish, so the marker is there for as long as the staging name is.
 *
 * @example
 * await applyDdl(target, markStagingDdl(split.staged.preData, { staging: ['pgsr_4f1c_0'], marker: stagingMarker(id) }));
 */
export function markStagingDdl(preData: readonly DdlStatement[], o: { staging: readonly string[]; marker: StagingMarker }): DdlStatement[] {
  const text = stagingMarkerText(o.marker);
  const unmarked = new Set(o.staging);
  const out: DdlStatement[] = [];
  const markerFor = (schema: string): DdlStatement => ({ sql: commentOnSchema(schema, text), section: 'pre-data', kind: 'definition', type: 'CommentStmt' });
  for (const s of preData) {
    if (isSchemaComment(s)) continue;
    out.push(s);
    if (s.type !== 'CreateSchemaStmt') continue;
    // Staging names are pgsr_<hex>_<n>: plain identifiers, safe in a pattern.
    const schema = o.staging.find((n) => new RegExp(`^\\s*CREATE\\s+SCHEMA\\s+(IF\\s+NOT\\s+EXISTS\\s+)?("${n}"|${n})(\\s|$)`, 'i').test(s.sql));
    if (schema !== undefined && unmarked.delete(schema)) out.push(markerFor(schema));
  }
  // A schema the DDL does not create (none expected) is marked once everything else exists.
  out.push(...[...unmarked].map(markerFor));
  return out;
}

/**
 * The comments of the restored schemas at publish: the source's own `COMMENT ON SCHEMA`, or
 * `IS NULL` where the source had none (removing the marker).
 *
 * @example
 * const sql = publishedSchemaComments(split.final.preData, ['customer_a1_20240128143000']);
 */
export function publishedSchemaComments(finalPreData: readonly DdlStatement[], restored: readonly string[]): string[] {
  const comments = finalPreData.filter(isSchemaComment).map((s) => s.sql);
  // pg_dump quotes only where needed; quoteIdent always does.
  const commented = (schema: string) => comments.some((sql) => sql.includes(`SCHEMA ${quoteIdent(schema)} `) || sql.includes(`SCHEMA ${schema} `));
  return [...comments, ...restored.filter((s) => !commented(s)).map((s) => `COMMENT ON SCHEMA ${quoteIdent(s)} IS NULL`)];
}

/**
 * The staging schemas in a database, with their markers (schemas named `pgsr_…` whose comment is a marker).
 *
 * @example
 * const leftovers = await listMarkedSchemas(target);
 */
export async function listMarkedSchemas(client: Client): Promise<MarkedSchema[]> {
  const { rows } = await client.query<{ nspname: string; comment: string | null }>(
    "SELECT nspname, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname LIKE 'pgsr\\_%' AND obj_description(oid, 'pg_namespace') LIKE $1 ORDER BY nspname",
    [`${STAGING_MARKER_PREFIX}%`]);
  return rows.flatMap((r) => {
    const marker = parseStagingMarker(r.comment);
    return marker ? [{ schema: r.nspname, ...marker }] : [];
  });
}
