import { AstNode, nodeType, stringList } from './ast';
import { statementHead } from './rename-schemas';
import { parseStatements } from './sql-statements';
import { ObjectName, statementSubject } from './statement-subject';

/** The key of an object in a {@link KeptObjects} set. */
export function objectKey(o: ObjectName): string {
  return `${o.kind}\0${o.schema}\0${o.name}`;
}

/** The objects of the restored schemas to keep, by {@link objectKey}. */
export type KeptObjects = ReadonlySet<string>;

export interface SelectStatementsOptions {
  /** What to keep (see `tableClosure`). */
  readonly keep: KeptObjects;
  /** The restored schemas (source names): objects elsewhere are not this filter's business. */
  readonly schemas: readonly string[];
}

export interface SelectedStatements {
  /** The statements kept, as a script. */
  readonly ddl: string;
  /** One line per foreign key, sequence ownership or unknown statement left out. */
  readonly warnings: string[];
}

const tableName = (rv: AstNode): string => `${rv.schemaname}.${rv.relname}`;

/**
 * The foreign keys an ALTER TABLE adds: name and referenced table (a RangeVar).
 *
 * @example
 * addedForeignKeys(parseStatements('ALTER TABLE ONLY s.a ADD CONSTRAINT a_b_fkey FOREIGN KEY (b) REFERENCES s.b(id);')[0].tree);
 * // [{ name: 'a_b_fkey', references: { schemaname: 's', relname: 'b', … } }]
 */
export function addedForeignKeys(tree: AstNode): { name: string; references: AstNode }[] {
  const [type, node] = nodeType(tree);
  if (type !== 'AlterTableStmt') return [];
  return (node.cmds ?? []).map((c: AstNode) => c.AlterTableCmd).filter((c: AstNode) => c?.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN')
    .map((c: AstNode) => ({ name: String(c.def.Constraint.conname), references: c.def.Constraint.pktable }));
}

/** The table an `ALTER SEQUENCE … OWNED BY s.t.c` names, `[schema, table]`. */
function sequenceOwner(tree: AstNode): [string, string] | undefined {
  const [type, node] = nodeType(tree);
  if (type !== 'AlterSeqStmt') return undefined;
  const ownedBy = (node.options ?? []).map((o: AstNode) => o.DefElem).find((o: AstNode) => o?.defname === 'owned_by');
  const parts = stringList(ownedBy?.arg);
  return parts && parts.length === 3 ? [parts[0], parts[1]] : undefined;
}

/**
 * Keep, of a schema-only pg_dump script, the statements of the objects in `keep` — the chosen
 * tables with their indexes, constraints, triggers, policies, comments, grants and owners, and the
 * types, sequences and functions they need — plus session settings and the schema itself. A foreign
 * key to a table of the restored schemas that is not kept is left out, and so is a sequence's
 * OWNED BY such a table (the sequence stays, standalone); each with a warning. Pure: text in, text out.
 *
 * @example
 * const { ddl, warnings } = selectStatements(dump, { keep: closure.keep, schemas: ['customer_a1'] });
 */
export function selectStatements(script: string, options: SelectStatementsOptions): SelectedStatements {
  const inside = new Set(options.schemas);
  const kept = (o: ObjectName) => !inside.has(o.schema) || options.keep.has(objectKey(o));
  const keptTable = (schema: string, name: string) => kept({ kind: 'relation', schema, name });
  const out: string[] = [];
  const warnings: string[] = [];
  const droppedKeys = new Set<string>();
  for (const { sql, tree } of parseStatements(script)) {
    const subject = statementSubject(tree);
    if (subject === undefined) {
      warnings.push(`left out of the table-level restore (not recognised as part of a chosen table): ${statementHead(sql)}`);
      continue;
    }
    if (typeof subject !== 'string' && !kept(subject)) continue;
    const dropped = addedForeignKeys(tree).filter((k) => !keptTable(k.references.schemaname, k.references.relname));
    if (dropped.length > 0 && typeof subject !== 'string') {
      for (const k of dropped) {
        droppedKeys.add(`${subject.schema}\0${subject.name}\0${k.name}`);
        warnings.push(`foreign key ${k.name} of ${subject.schema}.${subject.name} references ${tableName(k.references)}, which is not among the restored tables: left out`);
      }
      continue;
    }
    const [type, node] = nodeType(tree);
    const on = type === 'CommentStmt' && node.objtype === 'OBJECT_TABCONSTRAINT' ? stringList(node.object) : undefined;
    if (on && droppedKeys.has(on.join('\0'))) continue;
    const owner = sequenceOwner(tree);
    if (owner && !keptTable(...owner) && typeof subject !== 'string') {
      warnings.push(`sequence ${subject.schema}.${subject.name} is owned by ${owner.join('.')}, which is not among the restored tables: restored as a standalone sequence`);
      continue;
    }
    out.push(`${sql};\n`);
  }
  return { ddl: out.join('\n'), warnings };
}
