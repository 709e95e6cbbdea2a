/** Helpers for the JSON syntax trees of libpg-query: `{ NodeType: { ...fields } }`. */

// The parser's trees are plain JSON; a loose type keeps the walkers short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = any;

/**
 * The type of a struct embedded without its `{ Type: ... }` wrapper (fields declared as a specific
 * struct, such as `CreateStmt.relation` or `AlterOwnerStmt.newowner`), recognised by its fields.
 */
function inlineType(node: AstNode): string {
  if ('relname' in node && ('inh' in node || 'relpersistence' in node)) return 'RangeVar';
  if ('roletype' in node) return 'RoleSpec';
  if ('names' in node && 'typemod' in node) return 'TypeName';
  if ('objname' in node) return 'ObjectWithArgs';
  return '';
}

/** Call `fn(type, node)` for every node and embedded struct of the tree, depth first. */
export function walkAst(value: unknown, fn: (type: string, node: AstNode) => void, type = ''): void {
  if (Array.isArray(value)) {
    for (const v of value) walkAst(v, fn);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const t = type || inlineType(value);
  if (t) fn(t, value);
  for (const [key, child] of Object.entries(value)) {
    if (!child || typeof child !== 'object') continue;
    const wrapped = /^[A-Z]/.test(key) && !Array.isArray(child);
    walkAst(child, fn, wrapped ? key : '');
  }
}

/** The type name and body of a node: `{ CreateStmt: {...} }` → `['CreateStmt', {...}]`. */
export function nodeType(node: AstNode): [string, AstNode] {
  const [type] = Object.keys(node ?? {});
  return [type, node?.[type]];
}

/** `[{String:{sval:'a'}}, {String:{sval:'b'}}]` → `['a', 'b']`; undefined when not a list of strings. */
export function stringList(value: unknown): string[] | undefined {
  const items = Array.isArray(value) ? value : (value as AstNode)?.List?.items;
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item?.String?.sval !== 'string') return undefined;
    out.push(item.String.sval);
  }
  return out;
}

/** The string value of an `A_Const` string node. */
export function constString(node: AstNode): string | undefined {
  const sval = node?.A_Const?.sval?.sval;
  return typeof sval === 'string' ? sval : undefined;
}

/** Object types whose qualified name ends with a sub-object (`schema.table.column`). */
export const SUB_OBJECT_TYPES = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE', 'OBJECT_TRANSFORM']);

/** Schema and object of a qualified name list (`[schema, name]`, or `[schema, table, column]` for a sub-object); empty when unqualified. */
export function qualifiedNameParts(parts: string[], subObject = false): [schema?: string, name?: string] {
  const index = parts.length - (subObject ? 3 : 2);
  return index >= 0 ? [parts[index], parts[index + 1]] : [];
}

/** The schema part of a qualified name list, if it has one. */
export function schemaOfQualifiedName(parts: string[], subObject = false): string | undefined {
  return qualifiedNameParts(parts, subObject)[0];
}

/** Types whose input function reads a (qualified) object name from a string. */
export const OBJECT_NAME_TYPES = new Set(['regclass', 'regtype', 'regproc', 'regprocedure', 'regoper', 'regoperator', 'regnamespace', 'regconfig', 'regdictionary', 'regcollation']);

/** Functions whose first argument is an object name given as text. */
export const OBJECT_NAME_FUNCTIONS = new Set(['nextval', 'currval', 'setval', 'to_regclass', 'to_regtype', 'to_regproc', 'to_regprocedure',
  'to_regoper', 'to_regoperator', 'to_regnamespace', 'to_regcollation', 'pg_get_serial_sequence']);

/** The last part of a name list (`pg_catalog.regclass` → `regclass`). */
export function lastName(parts: string[] | undefined): string | undefined {
  return parts?.[parts.length - 1];
}

/** The body of CREATE FUNCTION / PROCEDURE or DO: its `AS` option (for its location), text and language. */
export interface RoutineBody {
  readonly as: AstNode;
  readonly text: string;
  /** Lower case; `sql` by default for routines, `plpgsql` for DO. */
  readonly language: string;
}

/** The single-string body of a routine or DO block; undefined for BEGIN ATOMIC bodies and C functions (`AS 'file', 'symbol'`). */
export function routineBody(type: string, node: AstNode): RoutineBody | undefined {
  const options: AstNode[] = ((type === 'DoStmt' ? node.args : node.options) ?? []).map((o: AstNode) => o.DefElem);
  const as = options.find((o) => o?.defname === 'as');
  const body = stringList(as?.arg) ?? (typeof as?.arg?.String?.sval === 'string' ? [as.arg.String.sval] : undefined);
  if (!as || !body || body.length !== 1) return undefined;
  const language = options.find((o) => o?.defname === 'language')?.arg?.String?.sval ?? (type === 'DoStmt' ? 'plpgsql' : 'sql');
  return { as, text: body[0], language: language.toLowerCase() };
}
