import { parseSync } from 'libpg-query';
import { AstNode } from './ast';
import { scanSql, tokensByRange } from './sql-tokens';
import { DdlError } from '../errors';

/** One statement of a script: its text (comments around it removed, no trailing semicolon) and tree. */
export interface ParsedStatement {
  readonly sql: string;
  readonly tree: AstNode;
}

/**
 * Blank out psql meta-commands (`\\restrict KEY`, `\\unrestrict KEY`, `\\connect db`) that pg_dump
 * writes between statements (since 15.14 / 16.10 / 17.6), keeping byte offsets intact. Their
 * arguments are not SQL (a key such as `5abc` is not even a valid token), so candidate lines are
 * blanked first and the lexer then tells which of them were inside a string or a function body:
 * those are put back.
 */
export function blankMetaCommands(script: string): string {
  const buf = Buffer.from(script, 'utf8');
  const candidates: Array<[number, number]> = [];
  for (let at = 0; at < buf.length;) {
    const eol = buf.indexOf(0x0a, at);
    const end = eol === -1 ? buf.length : eol;
    if (buf[at] === 0x5c) candidates.push([at, end]);
    at = end + 1;
  }
  if (candidates.length === 0) return script;
  const blanked = Buffer.from(buf);
  for (const [start, end] of candidates) blanked.fill(0x20, start, end);
  const tokens = scanSql(blanked.toString('utf8'));
  const insideToken = (offset: number) => tokens.some((t) => t.start < offset && offset < t.end);
  for (const [start, end] of candidates) {
    if (!insideToken(start)) buf.fill(0x20, start, end);
  }
  return buf.toString('utf8');
}

function lineOf(script: string, byteOffset: number): number {
  return Buffer.from(script, 'utf8').subarray(0, byteOffset).toString('utf8').split('\n').length;
}

/**
 * Split a SQL script (such as pg_dump's plain output) into statements with PostgreSQL's parser.
 *
 * @example
 * parseStatements('\\restrict k\nCREATE SCHEMA a;\nCREATE TABLE a.t (id int);').map((s) => s.sql)
 * // → ['CREATE SCHEMA a', 'CREATE TABLE a.t (id int)']
 */
export function parseStatements(script: string): ParsedStatement[] {
  const clean = blankMetaCommands(script);
  let tree: AstNode;
  try {
    tree = parseSync(clean);
  } catch (err) {
    const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const where = pos !== undefined ? ` at line ${lineOf(clean, pos)}` : '';
    throw new DdlError(`the DDL does not parse${where}: ${(err as Error).message}; pass pg_dump --schema-only output`, { cause: err });
  }
  const buf = Buffer.from(clean, 'utf8');
  const stmts: AstNode[] = tree.stmts ?? [];
  const ranges = stmts.map((raw): [number, number] => {
    const start = raw.stmt_location ?? 0;
    return [start, raw.stmt_len ? start + raw.stmt_len : buf.length];
  });
  const grouped = tokensByRange(scanSql(clean), ranges);
  return stmts.map((raw, i) => {
    const inside = grouped[i].filter((t) => t.text !== ';');
    const sql = inside.length ? buf.subarray(inside[0].start, inside[inside.length - 1].end).toString('utf8') : '';
    return { sql, tree: raw.stmt };
  }).filter((s) => s.sql.length > 0);
}
