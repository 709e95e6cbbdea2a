import { ClientBase } from 'pg';
import { AstNode, nodeType, walkAst } from './ddl/ast';
import { roleReferences } from './ddl/schema-references';
import { DdlStatement, SplitDdlResult } from './ddl/split-ddl';
import { parseStatements } from './ddl/sql-statements';
import { InvalidInputError } from './errors';

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /** The target session that will run the restore's DDL. */
  readonly target: ClientBase;
  /** The split DDL, as it will be published (after `skipOwnership` / `skipPrivileges`). */
  readonly ddl: Pick<SplitDdlResult, 'preData' | 'postData'>;
}

interface TargetFacts {
  readonly user: string;
  readonly database: string;
  readonly superuser: boolean;
  readonly can_create: boolean;
  readonly in_recovery: boolean;
  readonly default_read_only: string;
  readonly read_only: string;
  /** Of the roles asked about, those the user is not a member of (existing roles only: missing ones are reported elsewhere). */
  readonly not_member: string[];
}

const NOTHING_WRITTEN = 'nothing was written';
const quoted = (roles: readonly string[]): string => roles.map((r) => `"${r}"`).join(', ');

/** Roles the DDL makes owners: `ALTER … OWNER TO r`. */
function ownerRoles(statements: readonly DdlStatement[]): Set<string> {
  const roles = new Set<string>();
  for (const s of statements.filter((x) => x.kind === 'ownership')) {
    for (const { tree } of parseStatements(s.sql)) for (const role of roleReferences(tree)) roles.add(role);
  }
  return roles;
}

/** Roles the grants are made as: `GRANT … GRANTED BY r` and `ALTER DEFAULT PRIVILEGES FOR ROLE r`. */
function grantorRoles(statements: readonly DdlStatement[]): Set<string> {
  const roles = new Set<string>();
  for (const s of statements.filter((x) => x.kind === 'privilege')) {
    for (const { tree } of parseStatements(s.sql)) {
      walkAst(tree, (type, node: AstNode) => {
        if (type === 'GrantStmt' && node.grantor?.roletype === 'ROLESPEC_CSTRING') roles.add(node.grantor.rolename);
        if (type !== 'AlterDefaultPrivilegesStmt') return;
        for (const option of node.options ?? []) {
          const [kind, def] = nodeType(option);
          if (kind === 'DefElem' && def.defname === 'roles') for (const role of roleReferences(def.arg)) roles.add(role);
        }
      });
    }
  }
  return roles;
}

async function targetFacts(target: ClientBase, roles: readonly string[]): Promise<TargetFacts> {
  const { rows } = await target.query<TargetFacts>(`SELECT current_user::text AS "user", current_database()::text AS database,
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
      has_database_privilege(current_user, current_database(), 'CREATE') AS can_create,
      pg_is_in_recovery() AS in_recovery,
      current_setting('default_transaction_read_only') AS default_read_only,
      current_setting('transaction_read_only') AS read_only,
      ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1::text[]) AND NOT pg_has_role(current_user, oid, 'MEMBER') ORDER BY 1) AS not_member`,
  [roles]);
  return rows[0];
}

function readOnlyReason(f: TargetFacts): string | undefined {
  if (f.in_recovery) return `the target database "${f.database}" is a read-only standby (pg_is_in_recovery()); restore into the primary`;
  if (f.default_read_only === 'on') {
    return `the target database "${f.database}" is read-only for "${f.user}" (default_transaction_read_only = on); ` +
      `restore into a writable database, or turn it off for the restoring role (ALTER ROLE "${f.user}" SET default_transaction_read_only = off)`;
  }
  if (f.read_only === 'on') return `the target session of "${f.user}" is read-only (transaction_read_only = on, e.g. from PGOPTIONS or a pooler); connect read-write`;
  return undefined;
}

/**
 * Check, before anything is written, that the target role can do all the restore will ask of it:
 * the target is writable (not a standby, not `default_transaction_read_only`), the role may create
 * schemas in the database, may make every owner the DDL names the owner (member of it, or superuser)
 * and may make the grants as their grantors. Each problem is one {@link InvalidInputError} (exit 2)
 * naming the role and the option or grant that resolves it — found in a second, not after hours of copying.
 *
 * @example
 * await preflight({ target, ddl: split.final }); // after splitting the DDL, before pre-data
 */
export async function preflight(options: PreflightOptions): Promise<void> {
  const statements = [...options.ddl.preData, ...options.ddl.postData];
  const owners = ownerRoles(statements);
  const grantors = grantorRoles(statements);
  const facts = await targetFacts(options.target, [...new Set([...owners, ...grantors])]);
  const readOnly = readOnlyReason(facts);
  if (readOnly) throw new InvalidInputError(`${readOnly}; ${NOTHING_WRITTEN}`, { code: 'TARGET_READ_ONLY' });
  if (facts.superuser) return;
  const user = `"${facts.user}"`;
  if (!facts.can_create) {
    throw new InvalidInputError(`role ${user} may not create schemas in the target database "${facts.database}"; ` +
      `GRANT CREATE ON DATABASE "${facts.database}" TO ${user}, or restore as a role that may; ${NOTHING_WRITTEN}`, { code: 'CANNOT_CREATE_SCHEMA' });
  }
  const notOwner = facts.not_member.filter((r) => owners.has(r));
  if (notOwner.length > 0) {
    throw new InvalidInputError(`role ${user} cannot make ${quoted(notOwner)} the owner of restored objects (it is neither a member nor a superuser); ` +
      `restore with --no-owner (skipOwnership) to leave ${user} the owner, or GRANT ${quoted(notOwner)} TO ${user}; ${NOTHING_WRITTEN}`, { code: 'CANNOT_SET_OWNER' });
  }
  const notGrantor = facts.not_member.filter((r) => grantors.has(r));
  if (notGrantor.length > 0) {
    throw new InvalidInputError(`role ${user} cannot make the schema's grants as ${quoted(notGrantor)} (GRANTED BY / ALTER DEFAULT PRIVILEGES FOR ROLE need membership, or a superuser); ` +
      `restore with --no-privileges (skipPrivileges), or GRANT ${quoted(notGrantor)} TO ${user}; ${NOTHING_WRITTEN}`, { code: 'CANNOT_GRANT' });
  }
}
