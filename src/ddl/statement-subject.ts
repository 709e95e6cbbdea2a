import { AstNode, nodeType, stringList, SUB_OBJECT_TYPES } from './ast';

/** The kinds of schema objects a table-level restore keeps or leaves out (see `tableClosure`). */
export type ObjectKind = 'relation' | 'type' | 'function' | 'operator' | 'collation' | 'statistics';

/** The object a DDL statement defines or is about: a table for its indexes, comments, grants and triggers. */
export interface ObjectName {
  readonly kind: ObjectKind;
  readonly schema: string;
  readonly name: string;
}

/**
 * What a statement of pg_dump's output belongs to: `setting` (session SET), `schema` (the schema
 * itself: CREATE SCHEMA, its comment, grants, owner, default privileges), an object, or undefined
 * when the statement has a shape this module does not know.
 */
export type StatementSubject = 'setting' | 'schema' | ObjectName | undefined;

const KIND_OF_OBJTYPE: Record<string, ObjectKind> = {
  OBJECT_TABLE: 'relation',
  OBJECT_VIEW: 'relation',
  OBJECT_MATVIEW: 'relation',
  OBJECT_SEQUENCE: 'relation',
  OBJECT_INDEX: 'relation',
  OBJECT_FOREIGN_TABLE: 'relation',
  OBJECT_COLUMN: 'relation',
  OBJECT_TABCONSTRAINT: 'relation',
  OBJECT_TRIGGER: 'relation',
  OBJECT_POLICY: 'relation',
  OBJECT_RULE: 'relation',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_DOMCONSTRAINT: 'type',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function',
  OBJECT_ROUTINE: 'function',
  OBJECT_AGGREGATE: 'function',
  OBJECT_OPERATOR: 'operator',
  OBJECT_COLLATION: 'collation',
  OBJECT_STATISTIC_EXT: 'statistics',
};

/** `[schema, name]` (pg_dump qualifies every name) as an object of a kind; undefined when unqualified. */
function named(kind: ObjectKind | undefined, parts: string[] | undefined): ObjectName | undefined {
  if (!kind || !parts || parts.length < 2) return undefined;
  return { kind, schema: parts[parts.length - 2], name: parts[parts.length - 1] };
}

const relation = (rv: AstNode): ObjectName | undefined =>
  typeof rv?.relname === 'string' && typeof rv?.schemaname === 'string' ? { kind: 'relation', schema: rv.schemaname, name: rv.relname } : undefined;

/** The object of COMMENT / SECURITY LABEL / GRANT / ALTER … OWNER TO, by its node's shape and object type. */
function objectOf(objtype: string, object: AstNode): StatementSubject {
  if (objtype === 'OBJECT_SCHEMA') return 'schema';
  const [type, node] = nodeType(object);
  const kind = KIND_OF_OBJTYPE[objtype];
  if (type === 'RangeVar') return relation(node);
  if (type === 'ObjectWithArgs') return named(kind, stringList(node.objname));
  if (type === 'TypeName') return named('type', stringList(node.names));
  const items: AstNode[] = node?.items ?? [];
  // COMMENT ON CONSTRAINT c ON DOMAIN s.d: [TypeName, 'c'].
  if (items[0]?.TypeName) return named('type', stringList(items[0].TypeName.names));
  const parts = stringList(object);
  return named(kind, parts && SUB_OBJECT_TYPES.has(objtype) ? parts.slice(0, -1) : parts);
}

/**
 * The object a statement of pg_dump's schema-only output belongs to, from its parse tree. Pure.
 *
 * @example
 * statementSubject(parse('CREATE INDEX i ON s.orders (placed_at)')); // { kind: 'relation', schema: 's', name: 'orders' }
 * statementSubject(parse('COMMENT ON FUNCTION s.f(integer) IS \'x\'')); // { kind: 'function', schema: 's', name: 'f' }
 */
export function statementSubject(tree: AstNode): StatementSubject {
  const [type, node] = nodeType(tree);
  switch (type) {
    case 'VariableSetStmt':
    case 'SelectStmt': // pg_dump's SELECT pg_catalog.set_config('search_path', '', false)
      return 'setting';
    case 'CreateSchemaStmt':
    case 'AlterDefaultPrivilegesStmt':
      return 'schema';
    case 'CreateStmt': case 'ViewStmt': case 'AlterTableStmt': case 'IndexStmt': case 'CreateTrigStmt': case 'RuleStmt':
      return relation(node.relation ?? node.view);
    case 'CreateSeqStmt': case 'AlterSeqStmt':
      return relation(node.sequence);
    case 'CreateTableAsStmt':
      return relation(node.into?.rel);
    case 'CreateForeignTableStmt':
      return relation(node.base?.relation);
    case 'CreatePolicyStmt': case 'AlterPolicyStmt':
      return relation(node.table);
    case 'CreateStatsStmt':
      return relation(node.relations?.[0]?.RangeVar);
    case 'CompositeTypeStmt':
      return relation(node.typevar) && { ...relation(node.typevar)!, kind: 'type' };
    case 'CreateEnumStmt': case 'CreateRangeStmt':
      return named('type', stringList(node.typeName));
    case 'CreateDomainStmt':
      return named('type', stringList(node.domainname));
    case 'AlterDomainStmt':
      return named('type', stringList(node.typeName));
    case 'DefineStmt':
      return named(KIND_OF_OBJTYPE[node.kind], stringList(node.defnames));
    case 'CreateFunctionStmt':
      return named('function', stringList(node.funcname));
    case 'CommentStmt': case 'SecLabelStmt':
      return objectOf(node.objtype, node.object);
    case 'AlterOwnerStmt':
      return objectOf(node.objectType, node.object);
    case 'GrantStmt':
      return node.targtype === 'ACL_TARGET_OBJECT' && node.objects?.length === 1 ? objectOf(node.objtype, node.objects[0]) : undefined;
    default:
      return undefined;
  }
}
