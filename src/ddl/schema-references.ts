import { AstNode, constString, lastName, OBJECT_NAME_FUNCTIONS, OBJECT_NAME_TYPES, qualifiedNameParts, stringList, SUB_OBJECT_TYPES, walkAst } from './ast';
import type { KeptNames } from './rename-edits';
import { identifierValue, scanSql } from './sql-tokens';

/** Fields that hold a qualified name list whose next-to-last part is the schema. */
const QUALIFIED_NAME_FIELDS = ['funcname', 'names', 'objname', 'defnames', 'domainname', 'typeName', 'collname', 'opname',
  'conversion_name', 'opclassname', 'opfamilyname', 'dictname', 'cfgname'];

/** Fields holding the object of COMMENT / ALTER ... OWNER / SECURITY LABEL / ... statements. */
const OBJECT_FIELDS = ['object', 'objects'];

/** Schema names in a search_path value such as `'a', "B", public` or one string `a, "B"`. */
export function searchPathSchemas(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s));
}

/** Schema and object of an object name written in a string (`'s.seq'::regclass`, `'"S".f(int)'::regprocedure`). */
function objectNameParts(text: string, type: string): [schema?: string, name?: string] {
  const tokens = scanSql(text);
  if (type === 'regnamespace') return tokens.length === 1 ? [identifierValue(tokens[0])] : [];
  if (tokens.length >= 3 && tokens[1].text === '.') return [identifierValue(tokens[0]), identifierValue(tokens[2]) ?? tokens[2].text];
  return [];
}

/** The schema of an object name written in a string (`'s.seq'::regclass`, `'"S".f(int)'::regprocedure`). */
export function schemaInObjectName(text: string, type: string): string | undefined {
  return objectNameParts(text, type)[0];
}

function addAll(out: Set<string>, values: (string | undefined)[]): void {
  for (const v of values) if (v !== undefined) out.add(v);
}

/**
 * Every schema a statement's syntax tree refers to, found by walking the tree (independently of
 * how the text was rewritten). Used to prove that a renamed statement no longer mentions the old
 * schema anywhere the parser can see. References in `keep` (`'schema.name'`) do not count.
 */
export function schemaReferences(tree: AstNode, keep?: KeptNames): Set<string> {
  const found = new Set<string>();
  const add = ([schema, name]: [schema?: string, name?: string]): void => {
    if (schema !== undefined && !(name !== undefined && keep?.has(`${schema}.${name}`))) found.add(schema);
  };
  walkAst(tree, (type, node) => {
    switch (type) {
      case 'RangeVar':
        add([node.schemaname, node.relname]);
        break;
      case 'CreateSchemaStmt':
        addAll(found, [node.schemaname]);
        break;
      case 'ColumnRef': {
        const fields = stringList(node.fields.filter((f: AstNode) => !f.A_Star));
        if (fields && fields.length >= 3) add(qualifiedNameParts(fields.slice(0, -1)));
        break;
      }
      case 'TypeCast': {
        const target = lastName(stringList(node.typeName?.names));
        const value = constString(node.arg);
        if (target && OBJECT_NAME_TYPES.has(target) && value !== undefined) add(objectNameParts(value, target));
        break;
      }
      case 'FuncCall': {
        const fn = lastName(stringList(node.funcname));
        const first = constString(node.args?.[0]);
        if (fn && OBJECT_NAME_FUNCTIONS.has(fn) && first !== undefined) add(objectNameParts(first, 'regclass'));
        if (fn === 'set_config' && first === 'search_path') addAll(found, searchPathSchemas(constString(node.args?.[1]) ?? ''));
        break;
      }
      case 'VariableSetStmt':
        if (node.name === 'search_path') for (const arg of node.args ?? []) addAll(found, searchPathSchemas(constString(arg) ?? ''));
        break;
      case 'DefElem':
        if (node.defname === 'schemas') addAll(found, stringList(node.arg) ?? []);
        break;
      case 'AlterObjectSchemaStmt':
        addAll(found, [node.newschema]);
        break;
      case 'RenameStmt':
        if (node.renameType === 'OBJECT_SCHEMA') addAll(found, [node.subname, node.newname]);
        break;
      case 'GrantStmt':
        if (node.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') addAll(found, stringList(node.objects) ?? []);
        break;
      default:
        break;
    }
    for (const field of QUALIFIED_NAME_FIELDS) {
      const parts = stringList(node[field]);
      if (parts) add(qualifiedNameParts(parts));
    }
    const objectType: string | undefined = node.objtype ?? node.objectType ?? node.removeType;
    for (const field of OBJECT_FIELDS) {
      const value = node[field];
      if (value === undefined) continue;
      for (const obj of Array.isArray(value) ? value : [value]) {
        if (objectType === 'OBJECT_SCHEMA' && typeof obj?.String?.sval === 'string') found.add(obj.String.sval);
        const parts = stringList(obj);
        if (parts && objectType !== 'OBJECT_SCHEMA') add(qualifiedNameParts(parts, SUB_OBJECT_TYPES.has(objectType ?? '')));
      }
    }
  });
  return found;
}

/** Roles a statement names as owner, grantee, policy role or schema owner (PUBLIC and CURRENT_USER excluded). */
export function roleReferences(tree: AstNode): Set<string> {
  const roles = new Set<string>();
  walkAst(tree, (type, node) => {
    if (type === 'RoleSpec' && node.roletype === 'ROLESPEC_CSTRING' && typeof node.rolename === 'string') roles.add(node.rolename);
  });
  return roles;
}
