import { AstNode, constString, lastName, nodeType, stringList } from '../ddl/ast';
import type { DdlStatement } from '../ddl/split-ddl';
import { parseStatements } from '../ddl/sql-statements';
import type { BuildEvent } from '../progress';

/** What a parallel build makes: an index, a key with its index, another constraint, a foreign key, a partition index attached. */
export type BuildKind = BuildEvent['kind'];

/** `share`: may run beside other `share` builds of the table (CREATE INDEX, ShareLock); `exclusive`: alone on it. */
export type BuildLock = 'share' | 'exclusive';

/** One post-data statement that runs on a build session, as soon as its tables are loaded and what it follows has ended. */
export interface PlannedBuild {
  /** Position among the builds, in dump order. */
  readonly id: number;
  readonly statement: DdlStatement;
  readonly kind: BuildKind;
  /** Staging relations it locks ({@link relationKey}) and how. */
  readonly locks: ReadonlyMap<string, BuildLock>;
  /** Builds (ids) that must have ended first: the earlier ones whose lock on a shared relation conflicts. */
  readonly after: readonly number[];
  /** The session settings (`SET …`) in force at its place in the dump, by parameter name. */
  readonly settings: ReadonlyMap<string, string>;
}

/** Post-data split into builds that run in parallel and a tail that runs after them, in order. */
export interface PostDataPlan {
  readonly builds: PlannedBuild[];
  /** Triggers, rules, row-level security, policies, comments, CLUSTER ON, replica identity and anything
   * not recognised, in dump order with the session settings: one transaction after every build. */
  readonly tail: DdlStatement[];
}

/** The key of a relation in a plan: schema and name, unambiguous whatever characters they hold. */
export function relationKey(schema: string, name: string): string {
  return JSON.stringify([schema, name]);
}

function rangeVarKey(rv: AstNode): string | undefined {
  return rv?.schemaname && rv?.relname ? relationKey(rv.schemaname, rv.relname) : undefined;
}

/** The parameter a setting statement sets (`SET x = …`, `SELECT pg_catalog.set_config('x', …)`). */
function settingName(tree: AstNode): string {
  const [type, node] = nodeType(tree);
  if (type === 'VariableSetStmt') return node.name ?? '';
  const call = node.targetList?.[0]?.ResTarget?.val?.FuncCall;
  return lastName(stringList(call?.funcname)) === 'set_config' ? constString(call.args?.[0]) ?? '' : '';
}

interface Classified {
  readonly kind: BuildKind;
  readonly locks: Map<string, BuildLock>;
}

/** What a statement builds and locks, or undefined for the tail; `indexes` learns index name → table. */
function classifyBuild(tree: AstNode, indexes: Map<string, string>): Classified | undefined {
  const [type, node] = nodeType(tree);
  if (type === 'IndexStmt') {
    const table = rangeVarKey(node.relation);
    if (!table || !node.idxname) return undefined;
    indexes.set(relationKey(node.relation.schemaname, node.idxname), table);
    return { kind: 'index', locks: new Map([[table, 'share']]) };
  }
  const cmds: AstNode[] = type === 'AlterTableStmt' ? (node.cmds ?? []).map((c: AstNode) => c.AlterTableCmd) : [];
  if (cmds.length !== 1) return undefined;
  const [cmd] = cmds;
  if (node.objtype === 'OBJECT_INDEX' && cmd.subtype === 'AT_AttachPartition') {
    const parent = indexes.get(rangeVarKey(node.relation) ?? '');
    const child = indexes.get(rangeVarKey(cmd.def?.PartitionCmd?.name) ?? '');
    return parent && child ? { kind: 'attach', locks: new Map([[parent, 'exclusive'], [child, 'exclusive']]) } : undefined;
  }
  const table = rangeVarKey(node.relation);
  const constraint = cmd.def?.Constraint;
  if (node.objtype !== 'OBJECT_TABLE' || cmd.subtype !== 'AT_AddConstraint' || !table || !constraint) return undefined;
  switch (constraint.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
    case 'CONSTR_EXCLUSION':
      // The key's index bears its name: an ATTACH PARTITION or a constraint USING INDEX finds it.
      if (constraint.conname) indexes.set(relationKey(node.relation.schemaname, constraint.conname), table);
      return { kind: 'key', locks: new Map([[table, 'exclusive']]) };
    case 'CONSTR_CHECK':
      return { kind: 'constraint', locks: new Map([[table, 'exclusive']]) };
    case 'CONSTR_FOREIGN': {
      const referenced = rangeVarKey(constraint.pktable);
      return referenced ? { kind: 'foreign-key', locks: new Map([[table, 'exclusive'], [referenced, 'exclusive']]) } : undefined;
    }
    default:
      return undefined;
  }
}

/** Per relation: the last exclusive build and the share builds since, to order the next one after. */
class LockOrder {
  private readonly state = new Map<string, { exclusive?: number; shares: number[] }>();

  /** The builds a new one with these locks must follow; then it becomes one of them. */
  place(id: number, locks: ReadonlyMap<string, BuildLock>): number[] {
    const after = new Set<number>();
    for (const [relation, mode] of locks) {
      const s = this.state.get(relation) ?? { shares: [] };
      if (mode === 'share') {
        if (s.exclusive !== undefined) after.add(s.exclusive);
        s.shares.push(id);
      } else {
        if (s.shares.length > 0) s.shares.forEach((x) => after.add(x));
        else if (s.exclusive !== undefined) after.add(s.exclusive);
        s.exclusive = id;
        s.shares = [];
      }
      this.state.set(relation, s);
    }
    return [...after].sort((a, b) => a - b);
  }
}

/**
 * Plan the post-data statements of the staging schemas (already filtered to those that build inside
 * them): indexes, keys (PRIMARY KEY / UNIQUE / EXCLUDE, which build an index), CHECK constraints added
 * after the data, foreign keys between the restored tables and ATTACH PARTITION of partitioned indexes
 * become builds that may run in parallel; each follows, in dump order, every earlier build of a
 * relation it shares whose lock conflicts (several CREATE INDEX of one table run side by side; an
 * ALTER TABLE, which takes ACCESS EXCLUSIVE, runs alone), so a key USING INDEX follows its index, an
 * ATTACH both indexes, a foreign key both tables' keys. Everything else is the serial tail.
 *
 * @example
 * const plan = planPostData(definitions.staged.postData.filter(isStructural));
 * plan.builds.filter((b) => b.kind === 'index').length; // indexes that build in parallel
 */
export function planPostData(statements: readonly DdlStatement[]): PostDataPlan {
  const builds: PlannedBuild[] = [];
  const tail: DdlStatement[] = [];
  const settings = new Map<string, string>();
  const indexes = new Map<string, string>();
  const order = new LockOrder();
  for (const statement of statements) {
    if (statement.kind === 'setting') {
      const [parsed] = parseStatements(statement.sql);
      settings.set(parsed ? settingName(parsed.tree) : statement.sql, statement.sql);
      tail.push(statement);
      continue;
    }
    const [parsed] = statement.type === 'IndexStmt' || statement.type === 'AlterTableStmt' ? parseStatements(statement.sql) : [];
    const build = parsed && classifyBuild(parsed.tree, indexes);
    if (!build) {
      tail.push(statement);
      continue;
    }
    const id = builds.length;
    builds.push({ id, statement, ...build, after: order.place(id, build.locks), settings: new Map(settings) });
  }
  return { builds, tail };
}
