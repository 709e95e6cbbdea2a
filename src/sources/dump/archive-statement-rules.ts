import { AstNode, nodeType } from '../../ddl/ast';

/** Functions pg_dump calls in `SELECT` (search_path, sequence positions, large objects), and nothing else. */
const DUMP_FUNCTIONS = new Set(['set_config', 'setval', 'lo_create', 'lo_open', 'lowrite', 'lo_close']);
const STATISTICS_FUNCTIONS = new Set(['pg_restore_relation_stats', 'pg_restore_attribute_stats']);

/** Statements pg_dump never writes that run code, reach outside the server or hand out logins, in words. */
const NEVER_DUMPED: Record<string, string> = {
  DoStmt: 'DO',
  CallStmt: 'CALL',
  LoadStmt: 'LOAD',
  AlterSystemStmt: 'ALTER SYSTEM',
  ExplainStmt: 'EXPLAIN',
  ExecuteStmt: 'EXECUTE',
  PrepareStmt: 'PREPARE',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  DeclareCursorStmt: 'DECLARE',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
};

/**
 * Client encodings in which `\` or `'` can end a multibyte character: psql would then read quotes
 * differently from the check, so an archive may not switch to them.
 */
const UNSAFE_CLIENT_ENCODINGS = /^(sjis|shift_jis|mskanji|big5|gbk|cp936|uhc|gb18030|johab|win932|win936|win949|win950|cp932|cp949|cp950)$/;

function constText(node: AstNode | undefined): string | undefined {
  const [type, value] = node ? nodeType(node) : [];
  if (type === 'A_Const') return value.sval?.sval ?? (value.boolval ? String(value.boolval.boolval ?? false) : undefined) ?? (value.ival ? String(value.ival.ival ?? 0) : undefined);
  if (type === 'String') return value.sval;
  return undefined;
}

function isConstant(node: AstNode): boolean {
  const [type, value] = nodeType(node);
  return type === 'A_Const' || (type === 'TypeCast' && isConstant(value.arg));
}

/** A `SET` that would make psql read strings or bytes differently from this check; undefined when harmless. */
function unsafeSetting(set: AstNode | undefined): string | undefined {
  if (!set || set.kind !== 'VAR_SET_VALUE') return undefined;
  const value = (constText(set.args?.[0]) ?? '').toLowerCase();
  if (set.name === 'standard_conforming_strings' && !['on', 'true', '1', 'yes'].includes(value)) return 'SET standard_conforming_strings other than on';
  if (set.name === 'client_encoding' && UNSAFE_CLIENT_ENCODINGS.test(value.replace(/-/g, '_'))) return `SET client_encoding = ${value.toUpperCase()}`;
  return undefined;
}

/** A call of one of pg_dump's functions (pg_catalog-qualified or bare), on constants only. */
function isDumpCall(node: AstNode, functions: ReadonlySet<string>): boolean {
  const [type, call] = nodeType(node ?? {});
  if (type !== 'FuncCall') return false;
  const name: string[] = call.funcname.map((n: AstNode) => n.String?.sval);
  const fn = name[name.length - 1];
  if (name.length > 2 || (name.length === 2 && name[0] !== 'pg_catalog') || !functions.has(fn)) return false;
  if (call.agg_filter || call.over || !(call.args ?? []).every(isConstant)) return false;
  return fn !== 'set_config' || constText(call.args?.[0]) === 'search_path';
}

/** `SELECT * FROM pg_catalog.pg_restore_relation_stats(…)`: the statistics pg_dump 18 can write. */
function isStatisticsSelect(select: AstNode): boolean {
  const star = select.targetList?.length === 1 && select.targetList[0].ResTarget?.val?.ColumnRef?.fields?.[0]?.A_Star !== undefined;
  const from = select.fromClause?.length === 1 ? select.fromClause[0].RangeFunction : undefined;
  const calls = from?.functions?.length === 1 ? from.functions[0].List?.items ?? [] : [];
  return star && calls.length === 2 && isDumpCall(calls[0], STATISTICS_FUNCTIONS) && Object.keys(calls[1] ?? {}).length === 0;
}

/** `SELECT pg_catalog.setval('s', 42, true)` and its kin: only pg_dump's functions, on constants, from nothing. */
function isDumpSelect(select: AstNode): boolean {
  const clauses = ['whereClause', 'withClause', 'valuesLists', 'groupClause', 'havingClause', 'larg', 'intoClause', 'lockingClause', 'distinctClause'];
  if (clauses.some((c) => select[c] !== undefined) || !select.targetList?.length) return false;
  if (select.fromClause !== undefined) return isStatisticsSelect(select);
  return select.targetList.every((target: AstNode) => isDumpCall(target.ResTarget?.val, DUMP_FUNCTIONS));
}

/**
 * Why a parsed statement of a plain SQL archive must not be loaded — it runs code at load time,
 * reads or writes outside the server, hands out logins, or would make psql read the script
 * differently from the check — in a few words naming it; undefined for what pg_dump writes.
 *
 * @example
 * forbiddenStatement(parseSync("COPY t TO PROGRAM 'id'").stmts[0].stmt); // 'COPY … TO PROGRAM'
 * forbiddenStatement(parseSync('CREATE TABLE t (id int)').stmts[0].stmt); // undefined
 */
export function forbiddenStatement(tree: AstNode): string | undefined {
  const [type, node] = nodeType(tree);
  if (NEVER_DUMPED[type]) return NEVER_DUMPED[type];
  switch (type) {
    case 'CopyStmt':
      if (node.is_program) return `COPY … ${node.is_from ? 'FROM' : 'TO'} PROGRAM`;
      if (node.filename) return `COPY … ${node.is_from ? 'FROM' : 'TO'} a file`;
      return node.is_from ? undefined : 'COPY … TO STDOUT';
    case 'SelectStmt':
      return isDumpSelect(node) ? undefined : 'SELECT (other than the set_config/setval/large-object calls pg_dump writes)';
    case 'InsertStmt':
      return node.selectStmt?.SelectStmt?.valuesLists ? undefined : 'INSERT … SELECT';
    case 'CreateTableAsStmt':
      return node.objtype === 'OBJECT_MATVIEW' && node.into?.skipData ? undefined : 'CREATE … AS SELECT … WITH DATA';
    case 'CreateSubscriptionStmt': {
      const connect = (node.options ?? []).find((o: AstNode) => o.DefElem?.defname === 'connect');
      return ['false', 'off', '0'].includes(String(constText(connect?.DefElem?.arg)).toLowerCase()) ? undefined : 'CREATE SUBSCRIPTION that connects';
    }
    case 'VariableSetStmt':
      return unsafeSetting(node);
    case 'AlterDatabaseSetStmt':
    case 'AlterRoleSetStmt':
      return unsafeSetting(node.setstmt);
    default:
      return undefined;
  }
}
