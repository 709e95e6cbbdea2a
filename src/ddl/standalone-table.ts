import { ClientBase } from 'pg';
import { applyEdits, Edit } from './rename-edits';
import { isKeyword, scanSql, SqlToken } from './sql-tokens';
import { withLocalSettings } from '../connection/with-local-settings';
import { DdlError } from '../errors';
import { quoteIdent } from '../quote';

/** Column definitions and CHECK constraints a table has from its parents, as SQL, in column order. */
export interface InheritedDefinition {
  readonly columns: string[];
  readonly checks: string[];
}

/**
 * What a table inherits from its parents, read from the source catalog (inside the snapshot),
 * written with fully qualified names (`search_path` is emptied for the query and put back).
 *
 * @example
 * await inheritedDefinition(snapshot.client, 'customer_a1', 'events'); // { columns: ['id bigint NOT NULL', …], checks: [] }
 */
export async function inheritedDefinition(client: ClientBase, schema: string, table: string): Promise<InheritedDefinition> {
  return withLocalSettings(client, { search_path: '' }, async () => {
    const rel = `${quoteIdent(schema)}.${quoteIdent(table)}`;
    const { rows: columns } = await client.query<{ def: string }>(
      `SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
           || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
           || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS def
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
         ORDER BY a.attnum`, [rel]);
    const { rows: checks } = await client.query<{ def: string }>(
      `SELECT 'CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) AS def
         FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c' AND NOT conislocal ORDER BY conname`, [rel]);
    return { columns: columns.map((r) => r.def), checks: checks.map((r) => r.def) };
  });
}

/** Index of the token closing the parenthesis opened at `open`. */
function closingParen(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    if (tokens[i].text === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * `CREATE TABLE s.t (local columns) INHERITS (outside.parent)` → `CREATE TABLE s.t (inherited
 * columns, inherited checks, local columns)`: the same columns in the same order, no parent. Pure:
 * the statement's text and what it inherits in, the standalone statement out.
 *
 * @example
 * standaloneTable('CREATE TABLE c.t (x int) INHERITS (public.events)', { columns: ['id bigint NOT NULL'], checks: [] });
 * // → 'CREATE TABLE c.t (id bigint NOT NULL, x int)'
 */
export function standaloneTable(sql: string, inherited: InheritedDefinition): string {
  const tokens = scanSql(sql);
  const open = tokens.findIndex((t) => t.text === '(');
  const close = open === -1 ? -1 : closingParen(tokens, open);
  const inherits = tokens.findIndex((t, i) => i > close && isKeyword(t, 'INHERITS'));
  if (close === -1 || inherits === -1 || tokens[inherits + 1]?.text !== '(') {
    throw new DdlError(`cannot make a standalone table of: ${sql.slice(0, 80)}`);
  }
  const end = closingParen(tokens, inherits + 1);
  const added = [...inherited.columns, ...inherited.checks];
  const hasLocal = close > open + 1;
  const edits: Edit[] = [{ start: tokens[inherits].start, end: tokens[end].end, text: '' }];
  if (added.length > 0) edits.push({ start: tokens[open].end, end: tokens[open].end, text: `${added.join(', ')}${hasLocal ? ', ' : ''}` });
  return applyEdits(sql, edits).replace(/\s+$/, '');
}
