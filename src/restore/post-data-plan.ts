import type { Client } from 'pg';
import { AstNode, constString, lastName, nodeType, stringList } from '../ddl/ast';
import type { DdlStatement } from '../ddl/split-ddl';
import { parseStatements } from '../ddl/sql-statements';
import type { BuildEvent } from '../progress';
import { keyWithIndex, KeyWithIndex } from './key-with-index';
import { LockMode, LockOrder } from './lock-modes';
import { partitionedTables } from './partitioned-tables';

/** What a parallel build makes: an index, a key with its index, another constraint, a foreign key, a partition index attached. */
export type BuildKind = BuildEvent['kind'];

/** One post-data statement that runs on a build session, as soon as its tables are loaded and what it follows has ended. */
export interface PlannedBuild {
  /** Position among the builds, in dump order. */
  readonly id: number;
  readonly statement: DdlStatement;
  readonly kind: BuildKind;
  /** Staging relations it locks ({@link relationKey}) and in which mode. */
  readonly locks: ReadonlyMap<string, LockMode>;
  /** Builds (ids) that must have ended first: the earlier ones whose lock on a shared relation conflicts. */
  readonly after: readonly number[];
  /** The session settings (`SET …`) in force at its place in the dump, by parameter name. */
  readonly settings: ReadonlyMap<string, string>;
  /** Work other than the statement (which then only describes it), e.g. reading a loaded table's checksum. */
  readonly work?: (client: Client) => Promise<void>;
}

/** Post-data split into builds that run in parallel and a tail that runs after them, in order. */
export interface PostDataPlan {
  readonly builds: PlannedBuild[];
  /** Triggers, rules, row-level security, policies, comments, CLUSTER ON, replica identity and anything
   * not recognised, in dump order with the session settings: one transaction after every build. */
  readonly tail: DdlStatement[];
  /** The builds placed so far by the locks they take: work added later follows those it conflicts with. */
  readonly order: LockOrder;
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
  readonly locks: Map<string, LockMode>;
  /** A key split in two: its index builds here, its constraint later ({@link keyWithIndex}). */
  readonly key?: KeyWithIndex;
}

/**
 * What a statement builds and locks, or undefined for the tail; `indexes` learns index name → table.
 * Keys are split only when `partitioned` (from the pre-data) says whether their table is.
 */
function classifyBuild(
  statement: DdlStatement, tree: AstNode, indexes: Map<string, string>, partitioned?: ReadonlySet<string>,
): Classified | undefined {
  const [type, node] = nodeType(tree);
  if (type === 'IndexStmt') {
    const table = rangeVarKey(node.relation);
    if (!table || !node.idxname) return undefined;
    indexes.set(relationKey(node.relation.schemaname, node.idxname), table);
    return { kind: 'index', locks: new Map([[table, 'SHARE']]) };
  }
  const cmds: AstNode[] = type === 'AlterTableStmt' ? (node.cmds ?? []).map((c: AstNode) => c.AlterTableCmd) : [];
  if (cmds.length !== 1) return undefined;
  const [cmd] = cmds;
  if (node.objtype === 'OBJECT_INDEX' && cmd.subtype === 'AT_AttachPartition') {
    const parent = indexes.get(rangeVarKey(node.relation) ?? '');
    const child = indexes.get(rangeVarKey(cmd.def?.PartitionCmd?.name) ?? '');
    // PostgreSQL takes ACCESS SHARE on the tables but ACCESS EXCLUSIVE on the child index: the plan, which
    // tracks tables, counts it on both tables so that nothing using either index runs meanwhile.
    return parent && child ? { kind: 'attach', locks: new Map([[parent, 'ACCESS EXCLUSIVE'], [child, 'ACCESS EXCLUSIVE']]) } : undefined;
  }
  const table = rangeVarKey(node.relation);
  const constraint = cmd.def?.Constraint;
  if (node.objtype !== 'OBJECT_TABLE' || cmd.subtype !== 'AT_AddConstraint' || !table || !constraint) return undefined;
  switch (constraint.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
    case 'CONSTR_EXCLUSION': {
      // The key's index bears its name: an ATTACH PARTITION or a constraint USING INDEX finds it.
      if (constraint.conname) indexes.set(relationKey(node.relation.schemaname, constraint.conname), table);
      const key = partitioned && keyWithIndex(statement, tree, { partitioned: partitioned.has(table) });
      return key ? { kind: 'key', locks: new Map([[table, 'SHARE']]), key } : { kind: 'key', locks: new Map([[table, 'ACCESS EXCLUSIVE']]) };
    }
    case 'CONSTR_CHECK':
      return { kind: 'constraint', locks: new Map([[table, 'ACCESS EXCLUSIVE']]) };
    case 'CONSTR_FOREIGN': {
      // PostgreSQL 15 takes SHARE ROW EXCLUSIVE on both tables (tablecmds.c: AlterTableGetLockLevel, ATAddForeignKeyConstraint).
      const referenced = rangeVarKey(constraint.pktable);
      return referenced ? { kind: 'foreign-key', locks: new Map([[table, 'SHARE ROW EXCLUSIVE'], [referenced, 'SHARE ROW EXCLUSIVE']]) } : undefined;
    }
    default:
      return undefined;
  }
}

/** Options of {@link planPostData}. */
export interface PlanPostDataOptions {
  /**
   * The pre-data of the same schemas: it tells which tables are partitioned, where a key cannot be
   * split into its index and a constraint USING INDEX. @default - keys are not split
   */
  readonly preData?: readonly DdlStatement[];
}

/**
 * Plan the post-data statements of the staging schemas (already filtered to those that build inside
 * them): indexes, keys (PRIMARY KEY / UNIQUE / EXCLUDE, which build an index), CHECK constraints added
 * after the data, foreign keys between the restored tables and ATTACH PARTITION of partitioned indexes
 * become builds that may run in parallel; each follows every earlier build of a relation it shares
 * whose lock mode conflicts ({@link LockOrder}: several CREATE INDEX of one table run side by side;
 * an ALTER TABLE, which takes ACCESS EXCLUSIVE, runs alone), so an ATTACH follows both indexes and a
 * foreign key both tables' keys. Given the pre-data, a PRIMARY KEY / UNIQUE of a plain table becomes
 * its CREATE UNIQUE INDEX (in place, beside the table's other indexes) and an instant ADD CONSTRAINT
 * USING INDEX, put off until the next build of the table that is not a CREATE INDEX (a foreign key
 * to it, an ATTACH, another ALTER TABLE) or the end. Everything else is the serial tail.
 *
 * @example
 * const plan = planPostData(definitions.staged.postData.filter(isStructural), { preData: definitions.staged.preData });
 * plan.builds.filter((b) => b.kind === 'index').length; // indexes that build in parallel
 */
export function planPostData(statements: readonly DdlStatement[], options: PlanPostDataOptions = {}): PostDataPlan {
  const builds: PlannedBuild[] = [];
  const tail: DdlStatement[] = [];
  const settings = new Map<string, string>();
  const indexes = new Map<string, string>();
  const partitioned = options.preData && partitionedTables(options.preData, relationKey);
  const order = new LockOrder();
  const add = (build: Omit<PlannedBuild, 'id' | 'after'>): void => {
    const id = builds.length;
    builds.push({ id, ...build, after: order.place(id, build.locks) });
  };
  // Key constraints whose index is planned, by table: they wait while the table's CREATE INDEX builds come.
  const waiting = new Map<string, Array<Omit<PlannedBuild, 'id' | 'after'>>>();
  const release = (tables: Iterable<string>): void => {
    for (const table of tables) {
      waiting.get(table)?.forEach(add);
      waiting.delete(table);
    }
  };
  for (const statement of statements) {
    if (statement.kind === 'setting') {
      const [parsed] = parseStatements(statement.sql);
      settings.set(parsed ? settingName(parsed.tree) : statement.sql, statement.sql);
      tail.push(statement);
      continue;
    }
    const [parsed] = statement.type === 'IndexStmt' || statement.type === 'AlterTableStmt' ? parseStatements(statement.sql) : [];
    const build = parsed && classifyBuild(statement, parsed.tree, indexes, partitioned);
    if (!build) {
      tail.push(statement);
      continue;
    }
    const { key, ...planned } = build;
    if (planned.kind !== 'index' && !key) release(planned.locks.keys());
    add({ ...planned, statement: key?.index ?? statement, settings: new Map(settings) });
    if (key) {
      const [table] = planned.locks.keys();
      waiting.set(table, [...waiting.get(table) ?? [], { kind: 'key', statement: key.constraint, locks: new Map([[table, 'ACCESS EXCLUSIVE']]), settings: new Map(settings) }]);
    }
  }
  release([...waiting.keys()]);
  return { builds, tail, order };
}
