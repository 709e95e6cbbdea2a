/** Bytes digested at a time: the server never holds a large object whole. */
const CHUNK = 1024 * 1024;

/**
 * SQL for a digest of the content of the large object `oid` (an SQL expression, e.g. `t."file"`):
 * the md5 of the md5s of its 1 MiB slices, read with `lo_get` in the current snapshot.
 */
function contentDigestSql(oid: string): string {
  return `(WITH RECURSIVE c(off, part) AS (
      SELECT 0::int8, pg_catalog.lo_get(${oid}, 0, ${CHUNK})
      UNION ALL SELECT c.off + ${CHUNK}, pg_catalog.lo_get(${oid}, c.off + ${CHUNK}, ${CHUNK}) FROM c WHERE length(c.part) = ${CHUNK})
    SELECT 'large object ' || pg_catalog.md5(string_agg(pg_catalog.md5(c.part), '' ORDER BY c.off)) FROM c)`;
}

/** Which values of a large-object column are the restore's large objects, on one side. */
export type LargeObjectSide =
  /** At the source: values that are large objects there. */
  | { readonly side: 'source' }
  /** In the target: values the restore created, as listed in its record table (quoted, qualified). */
  | { readonly side: 'target'; readonly record: string };

/**
 * SQL that stands for a large-object column's value when rows are compared: the digest of the
 * referenced content for the restore's large objects, the OID as text for anything else (NULL,
 * dangling values). A row pointing at another object, or still at the source's OID, then differs.
 *
 * @example
 * largeObjectValueSql('t."file"', { side: 'source' });
 * // CASE WHEN EXISTS (… pg_largeobject_metadata …) THEN 'large object ' || md5(…) ELSE t."file"::text END
 */
export function largeObjectValueSql(value: string, side: LargeObjectSide): string {
  const oid = `${value}::pg_catalog.oid`;
  const ours = side.side === 'source'
    ? `EXISTS (SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = ${oid})`
    : `EXISTS (SELECT 1 FROM ${side.record} r WHERE r.target_oid = ${oid})`;
  return `CASE WHEN ${ours} THEN ${contentDigestSql(oid)} ELSE ${oid}::text END`;
}
