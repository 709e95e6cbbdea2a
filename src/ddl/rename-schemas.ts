import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { AstNode, constString, lastName, nodeType, OBJECT_NAME_FUNCTIONS, OBJECT_NAME_TYPES, stringList, walkAst } from './ast';
import { schemaReferences, searchPathSchemas } from './schema-references';
import { decodeStringLiteral, formatIdentifier, identifierValue, isKeyword, scanSql, SqlToken, tokensByRange } from './sql-tokens';
import { DdlError } from '../errors';

/** Old schema name → new schema name. */
export type SchemaRenames = ReadonlyMap<string, string>;

/** Text after renaming, and what could not be renamed with certainty. */
export interface RenameResult {
  readonly text: string;
  readonly warnings: string[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Statements in which `SCHEMA name[, name]` names schemas. */
const SCHEMA_KEYWORD_STATEMENTS = new Set(['CreateSchemaStmt', 'AlterOwnerStmt', 'RenameStmt', 'CommentStmt', 'SecLabelStmt', 'GrantStmt',
  'AlterDefaultPrivilegesStmt', 'DropStmt', 'AlterObjectSchemaStmt', 'CreateExtensionStmt', 'AlterExtensionStmt']);

/** The new name in the style of the token it replaces: quoted stays quoted (function bodies keep their text exactly), bare stays bare where possible. */
function renamedToken(token: SqlToken, newName: string): string {
  return token.text.startsWith('"') ? `"${newName.replace(/"/g, '""')}"` : formatIdentifier(newName);
}

function applyEdits(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text;
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue; // overlapping edits cannot happen; keep the first
    parts.push(buf.subarray(at, e.start), Buffer.from(e.text, 'utf8'));
    at = e.end;
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

/** Rename the schema of an object name written as text (`s.seq`, `"S".f(int)`, or a bare schema for regnamespace). */
function renameObjectName(value: string, type: string, renames: SchemaRenames): string {
  const tokens = scanSql(value);
  const first = tokens[0] && identifierValue(tokens[0]);
  if (first === undefined || !renames.has(first)) return value;
  if (type === 'regnamespace' ? tokens.length !== 1 : tokens[1]?.text !== '.') return value;
  return applyEdits(value, [{ start: tokens[0].start, end: tokens[0].end, text: renamedToken(tokens[0], renames.get(first)!) }]);
}

/** Rename schemas in a search_path value: one name, or a comma-separated list. */
function renameSearchPath(value: string, renames: SchemaRenames): string {
  if (!value.includes(',') && !value.trim().startsWith('"')) return renames.get(value.trim()) ?? value;
  return value.split(',').map((part) => {
    const [name] = searchPathSchemas(part);
    const renamed = name === undefined ? undefined : renames.get(name);
    return renamed === undefined ? part : part.replace(part.trim(), formatIdentifier(renamed));
  }).join(',');
}

function literalEdit(token: SqlToken, rewrite: (value: string) => string): Edit | undefined {
  const literal = decodeStringLiteral(token);
  if (!literal) return undefined;
  const value = rewrite(literal.value);
  return value === literal.value ? undefined : { start: token.start, end: token.end, text: literal.encode(value) };
}

/** Name of the type after a `::` at tokens[i] (`regclass` or `pg_catalog.regclass`). */
function castTypeAt(tokens: SqlToken[], i: number): string | undefined {
  if (tokens[i]?.tokenName !== 'TYPECAST') return undefined;
  const a = tokens[i + 1] && identifierValue(tokens[i + 1]);
  if (tokens[i + 2]?.text === '.') return tokens[i + 3] && identifierValue(tokens[i + 3]);
  return a;
}

/**
 * Token rules shared by SQL statements and procedural bodies: `schema.` qualifiers, object names
 * in strings cast to reg* types or passed to nextval() & co, and `SET search_path` lists.
 */
function tokenEdits(tokens: SqlToken[], renames: SchemaRenames, skip: (token: SqlToken) => boolean): Edit[] {
  const edits: Edit[] = [];
  tokens.forEach((t, i) => {
    const name = identifierValue(t);
    if (name !== undefined && renames.has(name) && tokens[i + 1]?.text === '.' && tokens[i - 1]?.text !== '.' && !skip(t)) {
      edits.push({ start: t.start, end: t.end, text: renamedToken(t, renames.get(name)!) });
      return;
    }
    if (t.tokenName !== 'SCONST') return;
    const cast = castTypeAt(tokens, i + 1);
    const fnToken = tokens[i - 2];
    const fn = tokens[i - 1]?.text === '(' && fnToken ? identifierValue(fnToken) : undefined;
    let edit: Edit | undefined;
    if (cast && OBJECT_NAME_TYPES.has(cast)) edit = literalEdit(t, (v) => renameObjectName(v, cast, renames));
    else if (fn && OBJECT_NAME_FUNCTIONS.has(fn)) edit = literalEdit(t, (v) => renameObjectName(v, 'regclass', renames));
    if (edit) edits.push(edit);
  });
  return edits;
}

/** `SCHEMA a, b` in statements where that syntax names schemas. */
function schemaKeywordEdits(tokens: SqlToken[], renames: SchemaRenames): Edit[] {
  const edits: Edit[] = [];
  tokens.forEach((t, i) => {
    if (!isKeyword(t, 'SCHEMA') && !isKeyword(t, 'SCHEMAS')) return;
    let j = i + 1;
    if (isKeyword(tokens[j], 'IF')) j += isKeyword(tokens[j + 1], 'NOT') ? 3 : 2;
    for (; j < tokens.length; j += 2) {
      const name = identifierValue(tokens[j]);
      if (name !== undefined && renames.has(name) && tokens[j + 1]?.text !== '.') {
        edits.push({ start: tokens[j].start, end: tokens[j].end, text: renamedToken(tokens[j], renames.get(name)!) });
      }
      if (tokens[j + 1]?.text !== ',') break;
    }
  });
  return edits;
}

/** Locations of search_path values in a tree: SET search_path / function SET clauses / set_config('search_path', ...). */
function searchPathLocations(tree: AstNode): number[] {
  const locations: number[] = [];
  walkAst(tree, (type, node) => {
    if (type === 'VariableSetStmt' && node.name === 'search_path') {
      for (const arg of node.args ?? []) if (arg?.A_Const?.location !== undefined) locations.push(arg.A_Const.location);
    }
    if (type === 'FuncCall' && lastName(stringList(node.funcname)) === 'set_config' && constString(node.args?.[0]) === 'search_path') {
      const loc = node.args?.[1]?.A_Const?.location;
      if (loc !== undefined) locations.push(loc);
    }
  });
  return locations;
}

function searchPathEdits(tokens: SqlToken[], locations: number[], renames: SchemaRenames): Edit[] {
  const edits: Edit[] = [];
  for (const loc of locations) {
    const token = tokens.find((t) => t.start === loc);
    if (!token) continue;
    const name = identifierValue(token);
    if (token.tokenName === 'SCONST') {
      const edit = literalEdit(token, (v) => renameSearchPath(v, renames));
      if (edit) edits.push(edit);
    } else if (name !== undefined && renames.has(name)) {
      edits.push({ start: token.start, end: token.end, text: renamedToken(token, renames.get(name)!) });
    }
  }
  return edits;
}

/** Start offsets of `relation.column` references: their first part is a table or alias, never a schema. */
function relationQualifierLocations(tree: AstNode): Set<number> {
  const locations = new Set<number>();
  walkAst(tree, (type, node) => {
    if (type === 'ColumnRef' && node.fields?.length === 2 && node.location !== undefined) locations.add(node.location);
  });
  return locations;
}

/** `SET search_path TO a, b` inside a procedural body, found by tokens. */
function proceduralSearchPathEdits(tokens: SqlToken[], renames: SchemaRenames): Edit[] {
  const edits: Edit[] = [];
  tokens.forEach((t, i) => {
    if (!isKeyword(t, 'SET') || identifierValue(tokens[i + 1] ?? t) !== 'search_path') return;
    for (let j = i + 3; j < tokens.length && tokens[j].text !== ';'; j++) {
      const name = identifierValue(tokens[j]);
      if (tokens[j].tokenName === 'SCONST') {
        const edit = literalEdit(tokens[j], (v) => renameSearchPath(v, renames));
        if (edit) edits.push(edit);
      } else if (name !== undefined && renames.has(name)) {
        edits.push({ start: tokens[j].start, end: tokens[j].end, text: renamedToken(tokens[j], renames.get(name)!) });
      }
    }
  });
  return edits;
}

function mentions(text: string, renames: SchemaRenames): string | undefined {
  return [...renames.keys()].find((old) => text.includes(old));
}

/** Variables, records and aliases a PL/pgSQL function declares (they may shadow a schema name as qualifier). */
function plpgsqlVariables(createStatement: string): Set<string> {
  const names = new Set<string>();
  try {
    walkAst(parsePlPgSQLSync(createStatement), (_type, node) => {
      if (typeof node?.refname === 'string') names.add(node.refname);
    });
  } catch {
    // not parseable as PL/pgSQL: no variables to protect
  }
  return names;
}

/**
 * Rename schemas inside a PL/pgSQL (or other procedural) body with PostgreSQL's lexer: qualifiers,
 * object names in strings, `SET search_path`, and SQL held in string literals (dynamic SQL) when
 * the parser accepts it.
 */
export function renameSchemasInProceduralBody(body: string, renames: SchemaRenames, variables: Set<string>, where: string): RenameResult {
  const warnings: string[] = [];
  const shadowed = [...renames.keys()].filter((s) => variables.has(s));
  for (const s of shadowed) warnings.push(`${where}: a variable is named like schema "${s}"; qualifiers "${s}." in its body were left unchanged`);
  const tokens = scanSql(body);
  const edits = [
    ...tokenEdits(tokens, renames, (t) => shadowed.includes(identifierValue(t) ?? '')),
    ...proceduralSearchPathEdits(tokens, renames),
  ];
  const edited = new Set(edits.map((e) => e.start));
  for (const t of tokens) {
    if (t.tokenName !== 'SCONST' || edited.has(t.start)) continue;
    const literal = decodeStringLiteral(t);
    const old = literal && mentions(literal.value, renames);
    if (!literal || !old) continue;
    try {
      const inner = renameSchemasInSql(literal.value, renames, `${where} (dynamic SQL)`);
      if (inner.text !== literal.value) edits.push({ start: t.start, end: t.end, text: literal.encode(inner.text) });
      warnings.push(...inner.warnings);
    } catch {
      warnings.push(`${where}: a string literal mentions "${old}" but is not SQL the parser accepts; it was left unchanged`);
    }
  }
  return { text: applyEdits(body, edits), warnings };
}

/** An SQL body is parsed; one the parser rejects (check_function_bodies was off at the source) is renamed by tokens. */
function renameSqlBody(body: string, renames: SchemaRenames, where: string): RenameResult {
  try {
    parseSync(body);
  } catch {
    const result = renameSchemasInProceduralBody(body, renames, new Set(), where);
    const note = mentions(body, renames) ? [`${where}: the SQL body does not parse; its references were renamed by tokens only`] : [];
    return { text: result.text, warnings: [...note, ...result.warnings] };
  }
  return renameSchemasInSql(body, renames, where);
}

/** Rename inside the body of CREATE FUNCTION / PROCEDURE / DO, by language. */
function routineBodyEdit(
  statement: string, node: AstNode, type: string, tokens: SqlToken[], renames: SchemaRenames, where: string,
): { edit?: Edit; warnings: string[] } {
  const options: AstNode[] = (type === 'DoStmt' ? node.args : node.options) ?? [];
  const as = options.find((o) => o.DefElem?.defname === 'as')?.DefElem;
  const body = stringList(as?.arg) ?? (typeof as?.arg?.String?.sval === 'string' ? [as.arg.String.sval] : undefined);
  if (!as || !body || body.length !== 1) return { warnings: [] };
  const language = (options.find((o) => o.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval ?? (type === 'DoStmt' ? 'plpgsql' : 'sql')).toLowerCase();
  const token = tokens.find((t) => t.start >= as.location && t.tokenName === 'SCONST');
  const literal = token && decodeStringLiteral(token);
  if (!token || !literal) return { warnings: mentions(body[0], renames) ? [`${where}: the body could not be located; it was left unchanged`] : [] };
  let result: RenameResult;
  if (language === 'sql') {
    result = renameSqlBody(literal.value, renames, where);
  } else if (language === 'plpgsql') {
    result = renameSchemasInProceduralBody(literal.value, renames, type === 'DoStmt' ? new Set() : plpgsqlVariables(statement), where);
  } else {
    const old = mentions(literal.value, renames);
    return { warnings: old ? [`${where}: the ${language} body mentions "${old}" and was left unchanged (only SQL and PL/pgSQL bodies are rewritten)`] : [] };
  }
  const edit = result.text === literal.value ? undefined : { start: token.start, end: token.end, text: literal.encode(result.text) };
  return { edit, warnings: result.warnings };
}

/** First words of a statement, for messages. */
export function statementHead(sql: string): string {
  const words = sql.replace(/\s+/g, ' ').trim();
  return words.length > 80 ? `${words.slice(0, 77)}...` : words;
}

/**
 * Rename schemas everywhere they occur in SQL text (one or more statements), guided by
 * PostgreSQL's own parser and lexer; everything else is kept byte for byte. The result is parsed
 * again and must not refer to an old schema anywhere the parser can see, or a {@link DdlError} is thrown.
 *
 * @example
 * renameSchemasInSql('CREATE TABLE a.t (id int DEFAULT nextval(\'a.s\'::regclass))', new Map([['a', 'a_old']])).text
 * // → CREATE TABLE a_old.t (id int DEFAULT nextval('a_old.s'::regclass))
 */
export function renameSchemasInSql(sql: string, renames: SchemaRenames, where = 'statement'): RenameResult {
  if (renames.size === 0) return { text: sql, warnings: [] };
  const tree = parseSync(sql);
  const tokens = scanSql(sql);
  const relationQualifiers = relationQualifierLocations(tree);
  const edits: Edit[] = [
    ...tokenEdits(tokens, renames, (t) => relationQualifiers.has(t.start)),
    ...searchPathEdits(tokens, searchPathLocations(tree), renames),
  ];
  const warnings: string[] = [];
  const total = Buffer.byteLength(sql, 'utf8');
  const stmts: AstNode[] = tree.stmts ?? [];
  const ranges = stmts.map((raw): [number, number] => {
    const start = raw.stmt_location ?? 0;
    return [start, raw.stmt_len ? start + raw.stmt_len : total];
  });
  const grouped = tokensByRange(tokens, ranges);
  for (const [i, raw] of stmts.entries()) {
    const [start, end] = ranges[i];
    const stmtTokens = grouped[i];
    const [type, node] = nodeType(raw.stmt);
    if (SCHEMA_KEYWORD_STATEMENTS.has(type)) edits.push(...schemaKeywordEdits(stmtTokens, renames));
    if (type === 'CreateFunctionStmt' || type === 'DoStmt') {
      const stmtText = Buffer.from(sql, 'utf8').subarray(start, end).toString('utf8');
      const relative = stmtTokens.map((t) => ({ ...t, start: t.start - start, end: t.end - start }));
      const body = routineBodyEdit(stmtText, node, type, relative, renames, where);
      if (body.edit) edits.push({ ...body.edit, start: body.edit.start + start, end: body.edit.end + start });
      warnings.push(...body.warnings);
    }
  }
  const text = applyEdits(sql, edits);
  const left = [...schemaReferences(parseSync(text))].filter((s) => renames.has(s) && ![...renames.values()].includes(s));
  if (left.length > 0) {
    throw new DdlError(`could not rename every reference to schema "${left[0]}" in ${where}: ${statementHead(text)}; please report this statement`);
  }
  return { text, warnings };
}
