import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { AstNode, constString, lastName, nodeType, routineBody, stringList, walkAst } from './ast';
import { KeptNames, NOTHING_KEPT } from './rename-edits';
import type { SchemaRenames } from './rename-schemas';
import { searchPathSchemas } from './schema-references';
import { formatIdentifier, identifierValue, scanSql } from './sql-tokens';

/** Functions whose first argument names a sequence, resolved by search_path when unqualified. */
const SEQUENCE_FUNCTIONS = new Set(['nextval', 'currval', 'setval']);

/** PL/pgSQL expression parse modes (RawParseMode): a full statement, an expression, or `target := expression`. */
const PARSE_DEFAULT = 0;
const PARSE_EXPRESSION = 2;

/** A relation name written in a string, when it has no schema (`'seq'`, not `'s.seq'`). */
function unqualifiedInString(value: string | undefined): string | undefined {
  const tokens = value === undefined ? [] : scanSql(value);
  return tokens.length === 1 ? identifierValue(tokens[0]) : undefined;
}

/** Names a routine body uses without a schema. */
interface UnqualifiedNames {
  /** Tables and views, and sequences named in `nextval('seq')`; CTE names and catalogs left out. */
  readonly relations: Set<string>;
  /** Functions, types and operators. */
  readonly others: Set<string>;
}

const single = (parts: string[] | undefined): string | undefined => (parts?.length === 1 ? parts[0] : undefined);

/** Add to `out` the names an SQL tree uses without a schema. */
function collectUnqualified(tree: AstNode, out: UnqualifiedNames): void {
  const ctes = new Set<string>();
  const relations: (string | undefined)[] = [];
  walkAst(tree, (type, node) => {
    if (type === 'CommonTableExpr') ctes.add(node.ctename);
    if (type === 'RangeVar' && !node.schemaname) relations.push(node.relname);
    if (type === 'FuncCall' && SEQUENCE_FUNCTIONS.has(lastName(stringList(node.funcname)) ?? '')) relations.push(unqualifiedInString(constString(node.args?.[0])));
    if (type === 'TypeCast' && lastName(stringList(node.typeName?.names)) === 'regclass') relations.push(unqualifiedInString(constString(node.arg)));
    const other = type === 'FuncCall' ? single(stringList(node.funcname)) : type === 'TypeName' ? single(stringList(node.names))
      : type === 'A_Expr' ? single(stringList(node.name)) : undefined;
    if (other !== undefined) out.others.add(other);
  });
  for (const name of relations) if (name !== undefined && !ctes.has(name) && !name.startsWith('pg_')) out.relations.add(name);
}

/** Parse SQL and collect its unqualified names; text the parser rejects contributes nothing. */
function collectFromSql(sql: string, out: UnqualifiedNames): void {
  try {
    collectUnqualified(parseSync(sql), out);
  } catch {
    // not SQL the parser accepts (e.g. written for another server version): nothing to report
  }
}

/** The SQL inside each PL/pgSQL statement and expression, and declared types; the strings of dynamic SQL are values, so they are not looked into. */
function collectFromPlpgsql(createStatement: string, out: UnqualifiedNames): void {
  let tree: AstNode;
  try {
    tree = parsePlPgSQLSync(createStatement);
  } catch {
    return;
  }
  walkAst(tree, (type, node) => {
    if (type === 'PLpgSQL_type' && typeof node.typname === 'string' && /^[a-z_][a-z0-9_$]*(\[\])?$/.test(node.typname)) out.others.add(node.typname.replace('[]', ''));
    if (type !== 'PLpgSQL_expr' || typeof node.query !== 'string') return;
    const mode = node.parseMode ?? PARSE_DEFAULT;
    if (mode === PARSE_DEFAULT) return collectFromSql(node.query, out);
    if (mode === PARSE_EXPRESSION) return collectFromSql(`SELECT ${node.query}`, out);
    const assign = scanSql(node.query).find((t) => t.text === ':=' || t.text === '=');
    if (assign) collectFromSql(`SELECT ${Buffer.from(node.query, 'utf8').subarray(assign.end).toString('utf8')}`, out);
  });
}

/** `name(type, type)` with the routine's input argument types, for messages. */
function signature(node: AstNode): string {
  const args = (node.parameters ?? [])
    .map((p: AstNode) => p.FunctionParameter)
    .filter((p: AstNode) => p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
    .map((p: AstNode) => `${lastName(stringList(p.argType?.names)) ?? '?'}${p.argType?.arrayBounds ? '[]' : ''}`);
  return `${formatIdentifier(lastName(stringList(node.funcname)) ?? '?')}(${args.join(', ')})`;
}

/** The schemas a routine's own `SET search_path` names; undefined when it sets none. */
function pinnedSearchPath(options: AstNode[]): string[] | undefined {
  const set = options.map((o) => o.DefElem).find((o) => o?.defname === 'set' && o.arg?.VariableSetStmt?.name === 'search_path')?.arg.VariableSetStmt;
  return set && (set.args ?? []).flatMap((a: AstNode) => searchPathSchemas(constString(a) ?? ''));
}

/**
 * Warn about a routine whose body resolves names wrongly once restored side by side:
 * - it sets no `search_path` and its SQL or PL/pgSQL body names a table (or a sequence, in
 *   `nextval('seq')`) without a schema: it reads whatever the caller's path finds, often the live schema;
 * - its `search_path` names a restored schema through which it finds an extension's function, type
 *   or operator unqualified (`uuid_generate_v4()`, `->`): the extension stays in the live schema
 *   (`keep`), so the restored path no longer finds it.
 *
 * `BEGIN ATOMIC` bodies are bound when created and dynamic SQL is not looked into. Pure: statement
 * text in, warnings out.
 *
 * @example
 * routineSearchPathWarnings('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$',
 *   new Map([['public', 'public_r']]));
 * // → ['function public_r.f() uses unqualified table names (orders) and sets no search_path: ...; add SET search_path = public_r to it']
 */
export function routineSearchPathWarnings(sql: string, renames: SchemaRenames, keep: KeptNames = NOTHING_KEPT): string[] {
  const [type, node] = nodeType(parseSync(sql).stmts?.[0]?.stmt);
  if (type !== 'CreateFunctionStmt' || node.sql_body) return [];
  const body = routineBody(type, node);
  if (!body) return [];
  const names: UnqualifiedNames = { relations: new Set(), others: new Set() };
  if (body.language === 'sql') collectFromSql(body.text, names);
  else if (body.language === 'plpgsql') collectFromPlpgsql(sql, names);
  const parts = stringList(node.funcname) ?? [];
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const restored = schema === undefined ? undefined : formatIdentifier(renames.get(schema) ?? schema);
  const routine = `${node.is_procedure ? 'procedure' : 'function'} ${restored === undefined ? '' : `${restored}.`}${signature(node)}`;
  const list = (values: Iterable<string>): string => [...values].sort().map(formatIdentifier).join(', ');
  const path = pinnedSearchPath(node.options ?? []);
  if (path === undefined) {
    if (names.relations.size === 0) return [];
    const fix = restored === undefined ? 'add SET search_path to it' : `add SET search_path = ${restored} to it`;
    return [`${routine} uses unqualified table names (${list(names.relations)}) and sets no search_path: it reads whatever the caller's search_path finds; ${fix}`];
  }
  const homes = path.filter((s) => renames.has(s) && [...names.others].some((n) => keep.has(`${s}.${n}`)));
  if (homes.length === 0) return [];
  const used = [...names.others].filter((n) => homes.some((s) => keep.has(`${s}.${n}`)));
  const renamedPath = path.map((s) => renames.get(s) ?? s);
  const they = used.length > 1 ? 'they belong' : 'it belongs';
  return [`${routine} uses ${list(used)} without a schema; ${they} to an extension that stays in schema ${list(homes)}, which its restored ` +
    `search_path (${renamedPath.map(formatIdentifier).join(', ')}) no longer names: set search_path = ${[...renamedPath, ...homes].map(formatIdentifier).join(', ')} on it`];
}
