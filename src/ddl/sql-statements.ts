import { parseSync } from 'libpg-query';
import { AstNode } from './ast';
import { parseInPieces } from './parse-in-pieces';
import { scanSql } from './sql-tokens';
import { DdlError } from '../errors';

/** One statement of a script: its text (comments around it removed, no trailing semicolon) and tree. */
export interface ParsedStatement {
  readonly sql: string;
  readonly tree: AstNode;
}

/** Byte ranges of the lines that start with a backslash: psql meta-commands, unless inside a token. */
function backslashLines(buf: Buffer): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  for (let at = 0; at < buf.length;) {
    const eol = buf.indexOf(0x0a, at);
    const end = eol === -1 ? buf.length : eol;
    if (buf[at] === 0x5c) lines.push([at, end]);
    at = end + 1;
  }
  return lines;
}

function blank(buf: Buffer, lines: ReadonlyArray<readonly [number, number]>): Buffer {
  const blanked = Buffer.from(buf);
  for (const [start, end] of lines) blanked.fill(0x20, start, end);
  return blanked;
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
  const candidates = backslashLines(buf);
  if (candidates.length === 0) return script;
  const tokens = scanSql(blank(buf, candidates).toString('utf8'));
  const insideToken = (offset: number) => tokens.some((t) => t.start < offset && offset < t.end);
  return blank(buf, candidates.filter(([start]) => !insideToken(start))).toString('utf8');
}

/** Each statement's byte range; a range starts right after the previous semicolon, comments included. */
function statementRanges(tree: AstNode, length: number): Array<[number, number]> {
  return (tree.stmts ?? []).map((raw: AstNode): [number, number] => {
    const start = raw.stmt_location ?? 0;
    return [start, raw.stmt_len ? start + raw.stmt_len : length];
  });
}

/** The statement's own text (in `buf`, UTF-8) and PostgreSQL's tokens of it, offsets relative to it. */
function statementTokens(buf: Buffer, [start, end]: readonly [number, number]) {
  return scanSql(buf.subarray(start, end).toString('utf8'));
}

/**
 * The script with its meta-commands blanked, and its tree. The lexer's verdict on each candidate
 * line comes from scanning only the statement that holds it: a statement starts in the lexer's
 * initial state (right after a semicolon), so this is what scanning the whole script would say,
 * without a token list as large as the script (many MB for thousands of tables).
 */
function parseWithoutMetaCommands(script: string): { clean: string; tree: AstNode } {
  const buf = Buffer.from(script, 'utf8');
  const candidates = backslashLines(buf);
  if (candidates.length === 0) return { clean: script, tree: parseScript(script) };
  const blanked = blank(buf, candidates);
  let tree: AstNode;
  try {
    tree = parseInPieces(blanked) ?? parseSync(blanked.toString('utf8'));
  } catch {
    // Not valid SQL: the whole-script way gives the lexer's or the parser's own message.
    const clean = blankMetaCommands(script);
    return { clean, tree: parseScript(clean) };
  }
  const ranges = statementRanges(tree, blanked.length);
  const insideToken = ([offset]: readonly [number, number]): boolean => {
    const range = ranges.find(([start, end]) => start <= offset && offset < end);
    return !!range && statementTokens(blanked, range).some((t) => t.start < offset - range[0] && offset - range[0] < t.end);
  };
  const keep = candidates.filter(insideToken);
  if (keep.length === 0) return { clean: blanked.toString('utf8'), tree };
  const clean = blank(buf, candidates.filter((c) => !keep.includes(c))).toString('utf8');
  return { clean, tree: parseScript(clean) };
}

function lineOf(script: string, byteOffset: number): number {
  return Buffer.from(script, 'utf8').subarray(0, byteOffset).toString('utf8').split('\n').length;
}

function parseScript(clean: string): AstNode {
  const pieces = parseInPieces(Buffer.from(clean, 'utf8'));
  if (pieces) return pieces;
  try {
    return parseSync(clean);
  } catch (err) {
    const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const where = pos !== undefined ? ` at line ${lineOf(clean, pos)}` : '';
    throw new DdlError(`the DDL does not parse${where}: ${(err as Error).message}; pass pg_dump --schema-only output`, { cause: err });
  }
}

/**
 * Split a SQL script (such as pg_dump's plain output) into statements with PostgreSQL's parser.
 * Each statement is scanned on its own, so memory follows the largest statement, not the script.
 *
 * @example
 * parseStatements('\\restrict k\nCREATE SCHEMA a;\nCREATE TABLE a.t (id int);').map((s) => s.sql)
 * // → ['CREATE SCHEMA a', 'CREATE TABLE a.t (id int)']
 */
export function parseStatements(script: string): ParsedStatement[] {
  const { clean, tree } = parseWithoutMetaCommands(script);
  const buf = Buffer.from(clean, 'utf8');
  const ranges = statementRanges(tree, buf.length);
  const stmts: AstNode[] = tree.stmts ?? [];
  return stmts.map((raw, i) => {
    const inside = statementTokens(buf, ranges[i]).filter((t) => t.text !== ';');
    const text = buf.subarray(ranges[i][0], ranges[i][1]);
    const sql = inside.length ? text.subarray(inside[0].start, inside[inside.length - 1].end).toString('utf8') : '';
    return { sql, tree: raw.stmt };
  }).filter((s) => s.sql.length > 0);
}
