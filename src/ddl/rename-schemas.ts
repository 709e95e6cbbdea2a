import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { DdlError } from '../errors';
import { AstNode, nodeType, routineBody, walkAst } from './ast';
import { applyEdits, Edit, KeptNames, mentions, NOTHING_KEPT, proceduralSearchPathEdits, relationQualifierLocations, SCHEMA_KEYWORD_STATEMENTS, schemaKeywordEdits, searchPathEdits, searchPathLocations, tokenEdits } from './rename-edits';
import { schemaReferences } from './schema-references';
import { decodeStringLiteral, identifierValue, scanSql, SqlToken, tokensByRange } from './sql-tokens';

/** Old schema name → new schema name. */
export type SchemaRenames = ReadonlyMap<string, string>;

/** Text after renaming, and what could not be renamed with certainty. */
export interface RenameResult {
  readonly text: string;
  readonly warnings: string[];
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
export function renameSchemasInProceduralBody(
  body: string, renames: SchemaRenames, variables: Set<string>, where: string, keep: KeptNames = NOTHING_KEPT,
): RenameResult {
  const warnings: string[] = [];
  const shadowed = [...renames.keys()].filter((s) => variables.has(s));
  for (const s of shadowed) warnings.push(`${where}: a variable is named like schema "${s}"; qualifiers "${s}." in its body were left unchanged`);
  const tokens = scanSql(body);
  const edits = [
    ...tokenEdits(tokens, renames, (t) => shadowed.includes(identifierValue(t) ?? ''), keep),
    ...proceduralSearchPathEdits(tokens, renames),
  ];
  const edited = new Set(edits.map((e) => e.start));
  for (const t of tokens) {
    if (t.tokenName !== 'SCONST' || edited.has(t.start)) continue;
    const literal = decodeStringLiteral(t);
    const old = literal && mentions(literal.value, renames);
    if (!literal || !old) continue;
    try {
      const inner = renameSchemasInSql(literal.value, renames, `${where} (dynamic SQL)`, keep);
      if (inner.text !== literal.value) edits.push({ start: t.start, end: t.end, text: literal.encode(inner.text) });
      warnings.push(...inner.warnings);
    } catch {
      warnings.push(`${where}: a string literal mentions "${old}" but is not SQL the parser accepts; it was left unchanged`);
    }
  }
  return { text: applyEdits(body, edits), warnings };
}

/** An SQL body is parsed; one the parser rejects (check_function_bodies was off at the source) is renamed by tokens. */
function renameSqlBody(body: string, renames: SchemaRenames, where: string, keep: KeptNames): RenameResult {
  try {
    parseSync(body);
  } catch {
    const result = renameSchemasInProceduralBody(body, renames, new Set(), where, keep);
    const note = mentions(body, renames) ? [`${where}: the SQL body does not parse; its references were renamed by tokens only`] : [];
    return { text: result.text, warnings: [...note, ...result.warnings] };
  }
  return renameSchemasInSql(body, renames, where, keep);
}

/** Rename inside the body of CREATE FUNCTION / PROCEDURE / DO, by language. */
function routineBodyEdit(
  statement: string, node: AstNode, type: string, tokens: SqlToken[], renames: SchemaRenames, where: string, keep: KeptNames,
): { edit?: Edit; warnings: string[] } {
  const routine = routineBody(type, node);
  if (!routine) return { warnings: [] };
  const { as, language } = routine;
  const token = tokens.find((t) => t.start >= as.location && t.tokenName === 'SCONST');
  const literal = token && decodeStringLiteral(token);
  if (!token || !literal) return { warnings: mentions(routine.text, renames) ? [`${where}: the body could not be located; it was left unchanged`] : [] };
  let result: RenameResult;
  if (language === 'sql') {
    result = renameSqlBody(literal.value, renames, where, keep);
  } else if (language === 'plpgsql') {
    result = renameSchemasInProceduralBody(literal.value, renames, type === 'DoStmt' ? new Set() : plpgsqlVariables(statement), where, keep);
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
 * References listed in `keep` (`'schema.name'`, e.g. the objects of an extension that stays where
 * it is) are left unchanged, and allowed by that check.
 *
 * @example
 * renameSchemasInSql('CREATE TABLE a.t (id int DEFAULT nextval(\'a.s\'::regclass))', new Map([['a', 'a_old']])).text
 * // → CREATE TABLE a_old.t (id int DEFAULT nextval('a_old.s'::regclass))
 */
export function renameSchemasInSql(sql: string, renames: SchemaRenames, where = 'statement', keep: KeptNames = NOTHING_KEPT): RenameResult {
  if (renames.size === 0) return { text: sql, warnings: [] };
  const tree = parseSync(sql);
  const tokens = scanSql(sql);
  const relationQualifiers = relationQualifierLocations(tree);
  const edits: Edit[] = [
    ...tokenEdits(tokens, renames, (t) => relationQualifiers.has(t.start), keep),
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
      const body = routineBodyEdit(stmtText, node, type, relative, renames, where, keep);
      if (body.edit) edits.push({ ...body.edit, start: body.edit.start + start, end: body.edit.end + start });
      warnings.push(...body.warnings);
    }
  }
  const text = applyEdits(sql, edits);
  const left = [...schemaReferences(parseSync(text), keep)].filter((s) => renames.has(s) && ![...renames.values()].includes(s));
  if (left.length > 0) {
    throw new DdlError(`could not rename every reference to schema "${left[0]}" in ${where}: ${statementHead(text)}; please report this statement`);
  }
  return { text, warnings };
}
