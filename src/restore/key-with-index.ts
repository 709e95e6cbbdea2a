import { AstNode, nodeType } from '../ddl/ast';
import type { DdlStatement } from '../ddl/split-ddl';
import { quoteIdent, quoteLiteral, quoteQualified } from '../quote';

/** A PRIMARY KEY / UNIQUE constraint as two statements: its index, then the constraint over it. */
export interface KeyWithIndex {
  /** `CREATE UNIQUE INDEX <constraint> ON <table> …`: SHARE lock, beside the table's other index builds. */
  readonly index: DdlStatement;
  /** `ALTER TABLE ONLY <table> ADD CONSTRAINT <name> … USING INDEX <name>`: ACCESS EXCLUSIVE, instant. */
  readonly constraint: DdlStatement;
}

// Constraint fields the two statements reproduce; anything else (WITHOUT OVERLAPS, an index method…) keeps the single statement.
const HANDLED = new Set(['contype', 'conname', 'keys', 'including', 'options', 'indexspace', 'nulls_not_distinct', 'deferrable', 'initdeferred',
  'initially_valid', 'skip_validation', 'location']);

function names(list: AstNode[] | undefined): string[] | undefined {
  const out = (list ?? []).map((n: AstNode) => n?.String?.sval);
  return out.every((n): n is string => typeof n === 'string') ? out : undefined;
}

/** A storage parameter as `name=value` (what pg_dump writes, `fillfactor='70'`), or undefined for a form not handled. */
function storageParameter(option: AstNode): string | undefined {
  const [type, def] = nodeType(option);
  if (type !== 'DefElem' || def.defnamespace || (def.defaction && def.defaction !== 'DEFELEM_UNSPEC')) return undefined;
  const [argType, arg] = nodeType(def.arg);
  const value = def.arg === undefined ? undefined
    : argType === 'String' ? arg.sval
      : argType === 'Integer' ? String(arg.ival ?? 0)
        : argType === 'Float' ? arg.fval
          : argType === 'Boolean' ? String(arg.boolval ?? false)
            : argType === 'TypeName' && arg.names?.length === 1 ? names(arg.names)?.[0] : null;
  if (value === null || (def.arg !== undefined && typeof value !== 'string')) return undefined;
  return value === undefined ? quoteIdent(def.defname) : `${quoteIdent(def.defname)}=${quoteLiteral(value)}`;
}

/**
 * Split `ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY|UNIQUE (…)` into `CREATE UNIQUE INDEX k ON t
 * USING btree (…) [INCLUDE (…)] [NULLS NOT DISTINCT] [WITH (…)] [TABLESPACE …]` and `ALTER TABLE ONLY t
 * ADD CONSTRAINT k PRIMARY KEY|UNIQUE USING INDEX k [DEFERRABLE] [INITIALLY DEFERRED]`, as pgcopydb
 * does: the index builds under a SHARE lock beside the table's other indexes, and the constraint only
 * takes it over. The catalog ends the same (same names, `indisprimary`, `indimmediate`, options).
 * Undefined where that is not possible or not certain to be identical: EXCLUDE, a partitioned table
 * (PostgreSQL refuses USING INDEX there), an unnamed constraint, any clause not handled.
 *
 * @example
 * keyWithIndex(statement, tree, { partitioned: false })?.index.sql
 * // → 'CREATE UNIQUE INDEX "t_pkey" ON "s"."t" USING btree ("id")'
 */
export function keyWithIndex(statement: DdlStatement, tree: AstNode, o: { partitioned: boolean }): KeyWithIndex | undefined {
  const [type, node] = nodeType(tree);
  const cmds: AstNode[] = type === 'AlterTableStmt' ? node.cmds ?? [] : [];
  const c: AstNode = cmds.length === 1 ? cmds[0].AlterTableCmd?.def?.Constraint : undefined;
  const relation = node?.relation;
  if (!c || o.partitioned || node.objtype !== 'OBJECT_TABLE' || !relation?.schemaname || !relation.relname || !c.conname) return undefined;
  if (c.contype !== 'CONSTR_PRIMARY' && c.contype !== 'CONSTR_UNIQUE') return undefined;
  if (Object.keys(c).some((field) => !HANDLED.has(field)) || c.initdeferred && !c.deferrable) return undefined;
  const keys = names(c.keys);
  const including = names(c.including);
  const options = (c.options ?? []).map(storageParameter);
  if (!keys?.length || !including || options.some((p: string | undefined) => p === undefined)) return undefined;
  const table = quoteQualified(relation.schemaname, relation.relname);
  const name = quoteIdent(c.conname);
  const index = [`CREATE UNIQUE INDEX ${name} ON ${table} USING btree (${keys.map(quoteIdent).join(', ')})`,
    including.length > 0 ? ` INCLUDE (${including.map(quoteIdent).join(', ')})` : '',
    c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '',
    options.length > 0 ? ` WITH (${options.join(', ')})` : '',
    c.indexspace ? ` TABLESPACE ${quoteIdent(c.indexspace)}` : ''].join('');
  const constraint = [`ALTER TABLE ${relation.inh ? '' : 'ONLY '}${table} ADD CONSTRAINT ${name} ${c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${name}`,
    c.deferrable ? ' DEFERRABLE' : '',
    c.initdeferred ? ' INITIALLY DEFERRED' : ''].join('');
  return {
    index: { ...statement, sql: index, type: 'IndexStmt' },
    constraint: { ...statement, sql: constraint },
  };
}
