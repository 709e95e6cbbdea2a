import { AstNode, lastName, nodeType, stringList } from './ast';

/** Where a statement runs: before the data is copied, or after it (indexes, constraints, triggers, RLS). */
export type DdlSection = 'pre-data' | 'post-data';

/**
 * What a statement does, which decides when it runs:
 * `setting` (session SET, repeated in every section), `definition`, `routine` (CREATE FUNCTION /
 * PROCEDURE, whose bodies are text), `ownership` (ALTER ... OWNER TO), `privilege` (GRANT / REVOKE),
 * `data` (setval / REFRESH in a dump with data; the restore does these itself).
 */
export type DdlStatementKind = 'setting' | 'definition' | 'routine' | 'ownership' | 'privilege' | 'data';

const POST_DATA_STATEMENTS = new Set(['IndexStmt', 'CreateTrigStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CreateStatsStmt',
  'AlterStatsStmt', 'CreateEventTrigStmt', 'CreatePublicationStmt', 'AlterPublicationStmt', 'CreateSubscriptionStmt']);

const POST_DATA_TABLE_COMMANDS = new Set(['AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity',
  'AT_ClusterOn', 'AT_ReplicaIdentity', 'AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_DisableTrig',
  'AT_EnableRule', 'AT_EnableAlwaysRule', 'AT_EnableReplicaRule', 'AT_DisableRule']);

/** Constraints that are indexes or need the data in place: built after the copy, as pg_restore does. */
const POST_DATA_CONSTRAINTS = new Set(['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN', 'CONSTR_EXCLUSION']);

const POST_DATA_OBJECTS = new Set(['OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE',
  'OBJECT_STATISTIC_EXT', 'OBJECT_EVENT_TRIGGER', 'OBJECT_PUBLICATION']);

function isPostDataTableCommand(cmd: AstNode, objtype: string): boolean {
  if (POST_DATA_TABLE_COMMANDS.has(cmd.subtype)) return true;
  if (cmd.subtype === 'AT_AttachPartition') return objtype === 'OBJECT_INDEX';
  if (cmd.subtype === 'AT_AddConstraint') {
    const c = cmd.def?.Constraint;
    return POST_DATA_CONSTRAINTS.has(c?.contype) || (c?.contype === 'CONSTR_CHECK' && c?.skip_validation === true);
  }
  return false;
}

function isSetConfigSelect(node: AstNode): boolean {
  const targets: AstNode[] = node.targetList ?? [];
  return !node.fromClause && targets.length > 0 && targets.every((t) => lastName(stringList(t.ResTarget?.val?.FuncCall?.funcname)) === 'set_config');
}

function isSetvalSelect(node: AstNode): boolean {
  const targets: AstNode[] = node.targetList ?? [];
  return !node.fromClause && targets.length === 1 && lastName(stringList(targets[0].ResTarget?.val?.FuncCall?.funcname)) === 'setval';
}

/** Session timeouts pg_dump turns off (`SET statement_timeout = 0` …); the target's own values must stay in force. */
const TIMEOUT_SETTINGS = new Set(['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'idle_session_timeout', 'transaction_timeout']);

/** Whether a statement sets one of the session timeouts (see {@link TIMEOUT_SETTINGS}). */
export function isTimeoutSetting(tree: AstNode): boolean {
  const [type, node] = nodeType(tree);
  return type === 'VariableSetStmt' && TIMEOUT_SETTINGS.has(node.name);
}

/** The kind and section of one parsed statement (see {@link DdlStatementKind}). */
export function classifyStatement(tree: AstNode): { kind: DdlStatementKind; section: DdlSection } {
  const [type, node] = nodeType(tree);
  const pre = (kind: DdlStatementKind) => ({ kind, section: 'pre-data' as DdlSection });
  const post = (kind: DdlStatementKind) => ({ kind, section: 'post-data' as DdlSection });
  switch (type) {
    case 'VariableSetStmt':
      return pre('setting');
    case 'SelectStmt':
      if (isSetConfigSelect(node)) return pre('setting');
      return isSetvalSelect(node) ? post('data') : pre('definition');
    case 'RefreshMatViewStmt':
      return post('data');
    case 'AlterOwnerStmt':
      return pre('ownership');
    case 'GrantStmt':
    case 'AlterDefaultPrivilegesStmt':
    case 'GrantRoleStmt':
      return pre('privilege');
    case 'CreateFunctionStmt':
      return pre('routine');
    case 'RuleStmt':
      return node.rulename === '_RETURN' ? pre('definition') : post('definition');
    case 'CommentStmt':
    case 'SecLabelStmt':
      return POST_DATA_OBJECTS.has(node.objtype) ? post('definition') : pre('definition');
    case 'AlterTableStmt': {
      const cmds: AstNode[] = (node.cmds ?? []).map((c: AstNode) => c.AlterTableCmd);
      if (cmds.length > 0 && cmds.every((c) => c.subtype === 'AT_ChangeOwner')) return pre('ownership');
      return cmds.some((c) => isPostDataTableCommand(c, node.objtype)) ? post('definition') : pre('definition');
    }
    default:
      return POST_DATA_STATEMENTS.has(type) ? post('definition') : pre('definition');
  }
}
