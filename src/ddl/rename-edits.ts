import { AstNode, constString, lastName, OBJECT_NAME_FUNCTIONS, OBJECT_NAME_TYPES, stringList, walkAst } from './ast';
import type { SchemaRenames } from './rename-schemas';
import { searchPathSchemas } from './schema-references';
import { decodeStringLiteral, formatIdentifier, identifierValue, isKeyword, scanSql, SqlToken } from './sql-tokens';

// The token-level edits of schema renaming: each finds the tokens that name a schema and says what
// to write instead; rename-schemas.ts applies them to statements and routine bodies.

/** `schema.name` references left as they are: objects that belong to an extension, which stays where it is. */
export type KeptNames = ReadonlySet<string>;

export const NOTHING_KEPT: KeptNames = new Set();

/** Whether `schema.<token>` names a kept object (an identifier, or an operator such as `->`). */
export function isKept(keep: KeptNames, schema: string, name: SqlToken | undefined): boolean {
  return name !== undefined && keep.has(`${schema}.${identifierValue(name) ?? name.text}`);
}

export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Statements in which `SCHEMA name[, name]` names schemas. */
export const SCHEMA_KEYWORD_STATEMENTS = new Set(['CreateSchemaStmt', 'AlterOwnerStmt', 'RenameStmt', 'CommentStmt', 'SecLabelStmt', 'GrantStmt',
  'AlterDefaultPrivilegesStmt', 'DropStmt', 'AlterObjectSchemaStmt', 'CreateExtensionStmt', 'AlterExtensionStmt']);

/** The new name in the style of the token it replaces: quoted stays quoted (function bodies keep their text exactly), bare stays bare where possible. */
export function renamedToken(token: SqlToken, newName: string): string {
  return token.text.startsWith('"') ? `"${newName.replace(/"/g, '""')}"` : formatIdentifier(newName);
}

export function applyEdits(text: string, edits: Edit[]): string {
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
export function renameObjectName(value: string, type: string, renames: SchemaRenames, keep: KeptNames = NOTHING_KEPT): string {
  const tokens = scanSql(value);
  const first = tokens[0] && identifierValue(tokens[0]);
  if (first === undefined || !renames.has(first)) return value;
  if (type === 'regnamespace' ? tokens.length !== 1 : tokens[1]?.text !== '.' || isKept(keep, first, tokens[2])) return value;
  return applyEdits(value, [{ start: tokens[0].start, end: tokens[0].end, text: renamedToken(tokens[0], renames.get(first)!) }]);
}

/** Rename schemas in a search_path value: one name, or a comma-separated list. */
export function renameSearchPath(value: string, renames: SchemaRenames): string {
  if (!value.includes(',') && !value.trim().startsWith('"')) return renames.get(value.trim()) ?? value;
  return value.split(',').map((part) => {
    const [name] = searchPathSchemas(part);
    const renamed = name === undefined ? undefined : renames.get(name);
    return renamed === undefined ? part : part.replace(part.trim(), formatIdentifier(renamed));
  }).join(',');
}

export function literalEdit(token: SqlToken, rewrite: (value: string) => string): Edit | undefined {
  const literal = decodeStringLiteral(token);
  if (!literal) return undefined;
  const value = rewrite(literal.value);
  return value === literal.value ? undefined : { start: token.start, end: token.end, text: literal.encode(value) };
}

/** Name of the type after a `::` at tokens[i] (`regclass` or `pg_catalog.regclass`). */
export function castTypeAt(tokens: SqlToken[], i: number): string | undefined {
  if (tokens[i]?.tokenName !== 'TYPECAST') return undefined;
  const a = tokens[i + 1] && identifierValue(tokens[i + 1]);
  if (tokens[i + 2]?.text === '.') return tokens[i + 3] && identifierValue(tokens[i + 3]);
  return a;
}

/**
 * Token rules shared by SQL statements and procedural bodies: `schema.` qualifiers, object names
 * in strings cast to reg* types or passed to nextval() & co, and `SET search_path` lists. Kept
 * names (`public.hstore` of an extension) are left as they are.
 */
export function tokenEdits(tokens: SqlToken[], renames: SchemaRenames, skip: (token: SqlToken) => boolean, keep: KeptNames = NOTHING_KEPT): Edit[] {
  const edits: Edit[] = [];
  tokens.forEach((t, i) => {
    const name = identifierValue(t);
    if (name !== undefined && renames.has(name) && tokens[i + 1]?.text === '.' && tokens[i - 1]?.text !== '.' && !skip(t) && !isKept(keep, name, tokens[i + 2])) {
      edits.push({ start: t.start, end: t.end, text: renamedToken(t, renames.get(name)!) });
      return;
    }
    if (t.tokenName !== 'SCONST') return;
    const cast = castTypeAt(tokens, i + 1);
    const fnToken = tokens[i - 2];
    const fn = tokens[i - 1]?.text === '(' && fnToken ? identifierValue(fnToken) : undefined;
    let edit: Edit | undefined;
    if (cast && OBJECT_NAME_TYPES.has(cast)) edit = literalEdit(t, (v) => renameObjectName(v, cast, renames, keep));
    else if (fn && OBJECT_NAME_FUNCTIONS.has(fn)) edit = literalEdit(t, (v) => renameObjectName(v, 'regclass', renames, keep));
    if (edit) edits.push(edit);
  });
  return edits;
}

/** `SCHEMA a, b` in statements where that syntax names schemas. */
export function schemaKeywordEdits(tokens: SqlToken[], renames: SchemaRenames): Edit[] {
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
export function searchPathLocations(tree: AstNode): number[] {
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

export function searchPathEdits(tokens: SqlToken[], locations: number[], renames: SchemaRenames): Edit[] {
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
export function relationQualifierLocations(tree: AstNode): Set<number> {
  const locations = new Set<number>();
  walkAst(tree, (type, node) => {
    if (type === 'ColumnRef' && node.fields?.length === 2 && node.location !== undefined) locations.add(node.location);
  });
  return locations;
}

/** `SET search_path TO a, b` inside a procedural body, found by tokens. */
export function proceduralSearchPathEdits(tokens: SqlToken[], renames: SchemaRenames): Edit[] {
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

export function mentions(text: string, renames: SchemaRenames): string | undefined {
  return [...renames.keys()].find((old) => text.includes(old));
}
