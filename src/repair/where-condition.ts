import { parseSync } from 'libpg-query';
import { AstNode, walkAst } from '../ddl/ast';
import { loadSqlParser } from '../ddl/sql-tokens';
import { InvalidInputError } from '../errors';

/** A table a `--where` applies to, and its key columns (every compared column for a table without a key). */
export interface WhereTable {
  readonly table: string;
  readonly key: readonly string[];
}

function parseCondition(where: string): AstNode {
  let tree: AstNode;
  try {
    tree = parseSync(`SELECT 1 WHERE (${where})`);
  } catch (err) {
    throw new InvalidInputError(`--where does not parse as an SQL condition: ${(err as Error).message}; e.g. --where "id BETWEEN 100 AND 200"`, { cause: err });
  }
  const select = tree.stmts?.length === 1 ? tree.stmts[0].stmt?.SelectStmt : undefined;
  const extra = select && Object.keys(select).filter((k) => !['targetList', 'whereClause', 'limitOption', 'op'].includes(k));
  if (!select || select.op !== 'SETOP_NONE' || extra.length > 0) {
    throw new InvalidInputError('--where must be one SQL condition on the key columns, e.g. --where "id BETWEEN 100 AND 200"');
  }
  return select.whereClause;
}

/** The columns a condition names, refusing what is not a plain condition on columns and constants. */
function namedColumns(condition: AstNode): Set<string> {
  const columns = new Set<string>();
  walkAst(condition, (type, node) => {
    if (type === 'SubLink') throw new InvalidInputError('--where must not hold a subquery; name key columns and constants only');
    if (type === 'FuncCall') throw new InvalidInputError(`--where must not call functions (${node.funcname?.map((n: AstNode) => n.String?.sval).join('.')}); name key columns and constants only`);
    if (type === 'ParamRef') throw new InvalidInputError('--where must not hold parameters ($1); write the values');
    if (type !== 'ColumnRef') return;
    const fields: AstNode[] = node.fields ?? [];
    const name = fields.length === 1 ? fields[0].String?.sval : undefined;
    if (typeof name !== 'string') throw new InvalidInputError('--where must name key columns unqualified (id, not t.id or *)');
    columns.add(name);
  });
  return columns;
}

/**
 * Check a `--where` condition with PostgreSQL's parser: one expression (no second statement, no
 * subquery, no function call, no parameter) naming only key columns of every table it applies to,
 * unqualified. Returns it as given, to be put in parentheses; refuses with a one-line
 * {@link InvalidInputError}.
 *
 * @example
 * await checkWhere('id BETWEEN 3 AND 7', [{ table: 'users', key: ['id'] }]); // 'id BETWEEN 3 AND 7'
 */
export async function checkWhere(where: string, tables: readonly WhereTable[]): Promise<string> {
  if (where.trim() === '') throw new InvalidInputError('--where must not be empty; e.g. --where "id BETWEEN 100 AND 200"');
  await loadSqlParser();
  const columns = namedColumns(parseCondition(where));
  if (columns.size === 0) throw new InvalidInputError('--where names no column; name key columns, e.g. --where "id BETWEEN 100 AND 200"');
  for (const t of tables) {
    const other = [...columns].find((c) => !t.key.includes(c));
    if (other !== undefined) {
      throw new InvalidInputError(`--where names "${other}", which is not a key column of table "${t.table}" (key: ${t.key.join(', ')}); ` +
        'name key columns only, or choose tables with --table');
    }
  }
  return where;
}
