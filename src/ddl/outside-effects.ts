import { AstNode, nodeType } from './ast';

/**
 * How a statement would reach outside the restored schemas:
 * `inherits` (a table INHERITS a parent outside: its rows would show in the parent's queries),
 * `partition-of` (a table becomes a partition of a parent outside), `alters` (it alters, attaches to
 * or adds a trigger, index, rule or policy to an object outside), `database-wide` (event triggers,
 * publications, roles, extensions, … belong to the whole database).
 */
export type OutsideEffectKind = 'inherits' | 'partition-of' | 'alters' | 'database-wide';

/** What a statement would do outside the restored schemas. */
export interface OutsideEffect {
  readonly kind: OutsideEffectKind;
  /** The outside object, `schema.name`, or the statement type for database-wide statements. */
  readonly object: string;
  /** For `inherits` and `partition-of`: the restored table, `schema.name` (source names), and its two parts. */
  readonly table?: string;
  readonly tableParts?: readonly [schema: string, name: string];
}

/** Statements that act on the database as a whole, whatever they name. */
const DATABASE_WIDE = new Set(['CreateEventTrigStmt', 'AlterEventTrigStmt', 'CreatePublicationStmt', 'AlterPublicationStmt',
  'CreateSubscriptionStmt', 'AlterSubscriptionStmt', 'CreateExtensionStmt', 'AlterExtensionStmt', 'AlterExtensionContentsStmt',
  'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt', 'GrantRoleStmt', 'CreatedbStmt', 'AlterDatabaseStmt',
  'AlterDatabaseSetStmt', 'AlterSystemStmt', 'CreatePLangStmt', 'CreateFdwStmt', 'AlterFdwStmt', 'CreateForeignServerStmt',
  'AlterForeignServerStmt', 'CreateUserMappingStmt', 'AlterUserMappingStmt', 'CreateCastStmt', 'CreateTransformStmt',
  'CreateTableSpaceStmt', 'CreateAmStmt', 'DropStmt', 'DropOwnedStmt', 'ReassignOwnedStmt', 'TruncateStmt', 'DoStmt', 'CallStmt',
  'LoadStmt', 'ClusterStmt', 'VacuumStmt', 'ReindexStmt', 'LockStmt', 'NotifyStmt', 'ListenStmt', 'CopyStmt']);

/** Statements on one relation (field `relation`) that change it: a new trigger, index, policy or rule, or ALTER TABLE. */
const ON_RELATION = new Set(['AlterTableStmt', 'IndexStmt', 'CreateTrigStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'RuleStmt']);

const qualified = (rv: AstNode): string => (rv?.schemaname ? `${rv.schemaname}.${rv.relname}` : String(rv?.relname));

const tableOf = (rv: AstNode): Pick<OutsideEffect, 'table' | 'tableParts'> => ({ table: qualified(rv), tableParts: [rv?.schemaname ?? '', String(rv?.relname)] });

function isOutside(rv: AstNode, inside: ReadonlySet<string>): boolean {
  return typeof rv?.relname === 'string' && !inside.has(rv.schemaname ?? '');
}

/**
 * Whether a statement of a schema's DDL (pg_dump `-n` output, source names) would attach to, alter
 * or lock for good an object outside the `inside` schemas — or act on the whole database. Pure; a
 * foreign key that merely references an outside table is not an effect (see {@link outsideReferencedTable}).
 *
 * @example
 * outsideEffect(parse('CREATE TABLE c.t (x int) INHERITS (public.events)'), new Set(['c']));
 * // → { kind: 'inherits', object: 'public.events', table: 'c.t', tableParts: ['c', 't'] }
 */
export function outsideEffect(tree: AstNode, inside: ReadonlySet<string>): OutsideEffect | undefined {
  const [type, node] = nodeType(tree);
  if (DATABASE_WIDE.has(type)) return { kind: 'database-wide', object: type };
  if (type === 'AlterDefaultPrivilegesStmt') {
    const inSchema = (node.options ?? []).some((o: AstNode) => o.DefElem?.defname === 'schemas');
    return inSchema ? undefined : { kind: 'database-wide', object: type };
  }
  if (type === 'CreateStmt') {
    const parent = (node.inhRelations ?? []).map((r: AstNode) => r.RangeVar).find((rv: AstNode) => isOutside(rv, inside));
    if (!parent) return undefined;
    return { kind: node.partbound ? 'partition-of' : 'inherits', object: qualified(parent), ...tableOf(node.relation) };
  }
  const attach = type === 'AlterTableStmt' ? (node.cmds ?? []).find((c: AstNode) => c.AlterTableCmd?.subtype === 'AT_AttachPartition') : undefined;
  if (attach && node.objtype === 'OBJECT_TABLE' && isOutside(node.relation, inside)) {
    return { kind: 'partition-of', object: qualified(node.relation), ...tableOf(attach.AlterTableCmd.def?.PartitionCmd?.name) };
  }
  if (ON_RELATION.has(type) && isOutside(node.relation ?? node.table, inside)) {
    return { kind: 'alters', object: qualified(node.relation ?? node.table) };
  }
  return undefined;
}

/**
 * The outside table a foreign key added by `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` references,
 * `schema.name`; undefined for every other statement and for keys between restored tables.
 *
 * @example
 * outsideReferencedTable(parse('ALTER TABLE ONLY c.t ADD CONSTRAINT f FOREIGN KEY (r) REFERENCES public.regions(id)'), new Set(['c']));
 * // → 'public.regions'
 */
export function outsideReferencedTable(tree: AstNode, inside: ReadonlySet<string>): string | undefined {
  const [type, node] = nodeType(tree);
  if (type !== 'AlterTableStmt') return undefined;
  for (const raw of node.cmds ?? []) {
    const constraint = raw.AlterTableCmd?.subtype === 'AT_AddConstraint' ? raw.AlterTableCmd.def?.Constraint : undefined;
    if (constraint?.contype === 'CONSTR_FOREIGN' && isOutside(constraint.pktable, inside)) return qualified(constraint.pktable);
  }
  return undefined;
}

/** Whether an `ADD CONSTRAINT … FOREIGN KEY` statement already says NOT VALID (the source's key was never validated). */
export function isNotValidForeignKey(tree: AstNode): boolean {
  const [, node] = nodeType(tree);
  return (node?.cmds ?? []).some((raw: AstNode) => raw.AlterTableCmd?.def?.Constraint?.skip_validation === true);
}

/** Words for an effect, for the one-line refusal and the warnings. */
export function describeOutsideEffect(effect: OutsideEffect): string {
  switch (effect.kind) {
    case 'inherits':
      return `table ${effect.table} inherits from ${effect.object}, outside the restored schemas: restoring it would add its rows to every query of the live ${effect.object}`;
    case 'partition-of':
      return `table ${effect.table} is a partition of ${effect.object}, outside the restored schemas: restoring it would attach it to the live ${effect.object}`;
    case 'alters':
      return `the DDL alters ${effect.object}, outside the restored schemas`;
    default:
      return `the DDL holds a database-wide statement (${effect.object.replace(/Stmt$/, '')})`;
  }
}
