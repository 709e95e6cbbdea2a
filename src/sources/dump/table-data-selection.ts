import type { ArchiveToc } from './dump-archive-toc';
import { nodeType } from '../../ddl/ast';
import { addedForeignKeys } from '../../ddl/select-statements';
import type { ParsedStatement } from '../../ddl/sql-statements';

/** A table by schema and name. */
export interface TableRef {
  readonly schema: string;
  readonly table: string;
}

/** A foreign key's two ends: the table it is on, and the table it references. */
export interface ForeignKeyEdge {
  readonly from: TableRef;
  readonly to: TableRef;
}

const key = (t: TableRef): string => JSON.stringify([t.schema, t.table]);

/**
 * The foreign keys a post-data script adds (pg_dump writes each as `ALTER TABLE ONLY s.t ADD
 * CONSTRAINT … FOREIGN KEY … REFERENCES s.u(…)`, names always schema-qualified).
 *
 * @example
 * foreignKeyEdges(parseStatements(postDataDdl)); // [{ from: { schema: 'a', table: 'orders' }, to: { schema: 'a', table: 'regions' } }]
 */
export function foreignKeyEdges(statements: readonly ParsedStatement[]): ForeignKeyEdge[] {
  return statements.flatMap((s) => {
    const [type, node] = nodeType(s.tree);
    if (type !== 'AlterTableStmt' || !node.relation) return [];
    const from = { schema: String(node.relation.schemaname), table: String(node.relation.relname) };
    return addedForeignKeys(s.tree).map((fk) => ({ from, to: { schema: String(fk.references.schemaname), table: String(fk.references.relname) } }));
  });
}

/**
 * The tables whose rows a table-level restore needs in the throwaway server: the closure's
 * relations, and — transitively — every table one of them references by foreign key, since
 * pg_restore validates each foreign key as it adds it (the restore itself then leaves a key to a
 * table not chosen out, as for any source).
 *
 * @example
 * tablesWithData([{ schema: 'a', table: 'orders' }], edges); // Set { '["a","orders"]', '["a","regions"]' }
 */
export function tablesWithData(closure: readonly TableRef[], edges: readonly ForeignKeyEdge[]): Set<string> {
  const keep = new Set(closure.map(key));
  for (let grew = true; grew;) {
    grew = false;
    for (const edge of edges) {
      if (keep.has(key(edge.from)) && !keep.has(key(edge.to))) {
        keep.add(key(edge.to));
        grew = true;
      }
    }
  }
  return keep;
}

/**
 * A `pg_restore -L` list without the TABLE DATA entries of `schemas` whose table is not in `keep`
 * (from {@link tablesWithData}), and those tables' names, `schema.table`. Every other entry stays
 * as the list has it. Pure.
 *
 * @example
 * const { list, skipped } = withoutTableData(plan.list, toc, ['customer_a1'], keep); // skipped: ['customer_a1.events']
 */
export function withoutTableData(
  list: string, toc: ArchiveToc, schemas: readonly string[], keep: ReadonlySet<string>,
): { list: string; skipped: string[] } {
  const left = toc.entries.filter((e) => e.desc === 'TABLE DATA' && e.namespace !== undefined && schemas.includes(e.namespace)
    && !keep.has(key({ schema: e.namespace, table: e.tag })));
  const skippedLines = new Map(left.map((e) => [e.line, `${e.namespace}.${e.tag}`]));
  const skipped: string[] = [];
  const lines = list.split('\n').map((line) => {
    const table = skippedLines.get(line);
    if (table === undefined) return line;
    skipped.push(table);
    return `;${line}`;
  });
  return { list: lines.join('\n'), skipped };
}
