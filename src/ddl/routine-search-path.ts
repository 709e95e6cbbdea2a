import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { AstNode, constString, lastName, nodeType, stringList, walkAst } from './ast';
import type { SchemaRenames } from './rename-schemas';
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

/** Add to `out` the relation names an SQL tree uses without a schema: tables, and sequences named in strings. CTE names and catalogs are left out. */
function collectUnqualified(tree: AstNode, out: Set<string>): void {
  const ctes = new Set<string>();
  const names: (string | undefined)[] = [];
  walkAst(tree, (type, node) => {
    if (type === 'CommonTableExpr') ctes.add(node.ctename);
    if (type === 'RangeVar' && !node.schemaname) names.push(node.relname);
    if (type === 'FuncCall' && SEQUENCE_FUNCTIONS.has(lastName(stringList(node.funcname)) ?? '')) names.push(unqualifiedInString(constString(node.args?.[0])));
    if (type === 'TypeCast' && lastName(stringList(node.typeName?.names)) === 'regclass') names.push(unqualifiedInString(constString(node.arg)));
  });
  for (const name of names) if (name !== undefined && !ctes.has(name) && !name.startsWith('pg_')) out.add(name);
}

/** Parse SQL and collect its unqualified names; text the parser rejects contributes nothing. */
function collectFromSql(sql: string, out: Set<string>): void {
  try {
    collectUnqualified(parseSync(sql), out);
  } catch {
    // not SQL the parser accepts (e.g. written for another server version): nothing to report
  }
}

/** The SQL inside each PL/pgSQL statement and expression; the strings of dynamic SQL are values, so they are not looked into. */
function collectFromPlpgsql(createStatement: string, out: Set<string>): void {
  let tree: AstNode;
  try {
    tree = parsePlPgSQLSync(createStatement);
  } catch {
    return;
  }
  walkAst(tree, (type, node) => {
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

/**
 * Warn about a routine whose body resolves relation names through the caller's search_path: a
 * CREATE FUNCTION / PROCEDURE that sets no `search_path` and whose SQL or PL/pgSQL body names a
 * table (or a sequence, in `nextval('seq')`) without a schema. Restored side by side, such a
 * routine reads whatever the caller's path finds — often the live schema. `BEGIN ATOMIC` bodies
 * are bound when created and dynamic SQL is not looked into. Pure: statement text in, warnings out.
 *
 * @example
 * routineSearchPathWarnings('CREATE FUNCTION public.f() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$',
 *   new Map([['public', 'public_r']]));
 * // → ['function public_r.f() uses unqualified table names (orders) and sets no search_path: ...; add SET search_path = public_r to it']
 */
export function routineSearchPathWarnings(sql: string, renames: SchemaRenames): string[] {
  const [type, node] = nodeType(parseSync(sql).stmts?.[0]?.stmt);
  if (type !== 'CreateFunctionStmt' || node.sql_body) return [];
  const options: AstNode[] = (node.options ?? []).map((o: AstNode) => o.DefElem);
  if (options.some((o) => o?.defname === 'set' && o.arg?.VariableSetStmt?.name === 'search_path')) return [];
  const body = stringList(options.find((o) => o?.defname === 'as')?.arg);
  if (!body || body.length !== 1) return [];
  const language = (options.find((o) => o?.defname === 'language')?.arg?.String?.sval ?? 'sql').toLowerCase();
  const names = new Set<string>();
  if (language === 'sql') collectFromSql(body[0], names);
  else if (language === 'plpgsql') collectFromPlpgsql(sql, names);
  if (names.size === 0) return [];
  const parts = stringList(node.funcname) ?? [];
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const restored = schema === undefined ? undefined : formatIdentifier(renames.get(schema) ?? schema);
  const qualified = restored === undefined ? signature(node) : `${restored}.${signature(node)}`;
  const fix = restored === undefined ? 'add SET search_path to it' : `add SET search_path = ${restored} to it`;
  return [`${node.is_procedure ? 'procedure' : 'function'} ${qualified} uses unqualified table names (${[...names].sort().map(formatIdentifier).join(', ')}) ` +
    `and sets no search_path: it reads whatever the caller's search_path finds; ${fix}`];
}
