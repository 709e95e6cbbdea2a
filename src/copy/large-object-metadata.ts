import { ClientBase } from 'pg';
import { quoteIdent, quoteLiteral } from '../quote';

/** One privilege a large object grants. */
export interface LargeObjectGrant {
  /** Role name; undefined for PUBLIC. */
  readonly grantee?: string;
  readonly privilege: 'SELECT' | 'UPDATE';
  readonly grantable: boolean;
}

/** Owner, grants and comment of a large object at the source. */
export interface LargeObjectMetadata {
  readonly oid: number;
  readonly owner: string;
  /** Undefined when the object has the default privileges (`lomacl` is NULL). */
  readonly grants?: readonly LargeObjectGrant[];
  readonly comment?: string;
}

/** Which parts of the metadata are restored. */
export interface LargeObjectMetadataOptions {
  readonly skipOwnership?: boolean;
  readonly skipPrivileges?: boolean;
}

/** OIDs read per query, so that a database with millions of objects is read in pieces. */
const PAGE = 10_000;

const METADATA = `SELECT m.oid::text AS oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner,
    CASE WHEN m.lomacl IS NULL THEN NULL ELSE (SELECT coalesce(json_agg(json_build_object(
      'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
      'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.n), '[]')
      FROM pg_catalog.aclexplode(m.lomacl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, n)) END AS grants,
    pg_catalog.obj_description(m.oid, 'pg_largeobject') AS comment
  FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = ANY($1::pg_catalog.oid[]) ORDER BY m.oid`;

/**
 * Owner, grants and comment of large objects (those of `oids` that exist), in OID order.
 *
 * @example
 * const [first] = await readLargeObjectMetadata(snapshot.client, [16385]);
 * first.owner; // 'tenant_a_owner'
 */
export async function readLargeObjectMetadata(client: ClientBase, oids: readonly number[]): Promise<LargeObjectMetadata[]> {
  const all: LargeObjectMetadata[] = [];
  for (let i = 0; i < oids.length; i += PAGE) {
    type Row = { oid: string; owner: string; grants: LargeObjectGrant[] | null; comment: string | null };
    const { rows } = await client.query<Row>(METADATA, [oids.slice(i, i + PAGE)]);
    for (const r of rows) {
      const grants = r.grants ? { grants: r.grants } : {};
      all.push({ oid: Number(r.oid), owner: r.owner, ...grants, ...(r.comment !== null ? { comment: r.comment } : {}) });
    }
  }
  return all;
}

/**
 * The roles that restoring the metadata names (owners and grantees), sorted.
 *
 * @example
 * largeObjectRoles(metadata, { skipPrivileges: true }); // ['tenant_a_owner']
 */
export function largeObjectRoles(metadata: readonly LargeObjectMetadata[], options: LargeObjectMetadataOptions = {}): string[] {
  const roles = new Set<string>();
  for (const m of metadata) {
    if (!options.skipOwnership) roles.add(m.owner);
    if (!options.skipPrivileges) for (const g of m.grants ?? []) if (g.grantee !== undefined) roles.add(g.grantee);
  }
  return [...roles].sort();
}

/**
 * Statements giving the large object `oid` the owner, grants and comment of `metadata`: the owner
 * first, then (when the source's privileges are not the default ones) all privileges revoked and
 * the source's granted again in their order, so the access list comes out the same.
 *
 * @example
 * largeObjectMetadataSql(20001, { oid: 16385, owner: 'app', grants: [{ grantee: 'reader', privilege: 'SELECT', grantable: false }] });
 * // ['ALTER LARGE OBJECT 20001 OWNER TO "app"', 'REVOKE ALL ON LARGE OBJECT 20001 FROM PUBLIC, "app"', 'GRANT SELECT ON LARGE OBJECT 20001 TO "reader"']
 */
export function largeObjectMetadataSql(oid: number, metadata: LargeObjectMetadata, options: LargeObjectMetadataOptions = {}): string[] {
  // Internal invariant, never a user's input: the OID comes from the server's lo_create.
  if (!Number.isInteger(oid) || oid <= 0) throw new Error(`invalid large object OID ${oid}`);
  const object = `LARGE OBJECT ${oid}`;
  const sql: string[] = [];
  if (!options.skipOwnership) sql.push(`ALTER ${object} OWNER TO ${quoteIdent(metadata.owner)}`);
  if (!options.skipPrivileges && metadata.grants) {
    const owner = options.skipOwnership ? 'CURRENT_USER' : quoteIdent(metadata.owner);
    sql.push(`REVOKE ALL ON ${object} FROM PUBLIC, ${owner}`);
    for (const g of metadata.grants) {
      sql.push(`GRANT ${g.privilege} ON ${object} TO ${g.grantee === undefined ? 'PUBLIC' : quoteIdent(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}`);
    }
  }
  if (metadata.comment !== undefined) sql.push(`COMMENT ON ${object} IS ${quoteLiteral(metadata.comment)}`);
  return sql;
}
