import { parseSync } from 'libpg-query';
import { AstNode } from './ast';

/** A script is parsed in pieces of about this many bytes: the parser's memory follows the piece, not the script. */
export const PIECE_BYTES = 256 * 1024;

/**
 * Parse a script piece by piece, or undefined when a piece does not parse. A piece ends with a
 * semicolon at the end of a line, and counts only when it parses and that semicolon ends its last
 * statement: after a top-level semicolon PostgreSQL's lexer and parser are back where they start,
 * so its statements are the whole script's (node locations inside a statement's tree are relative
 * to its piece). Otherwise the piece grows. WebAssembly memory never shrinks: parsed whole, the DDL
 * of 2,000 tables would keep 40 MB of it for the rest of the restore.
 *
 * @example
 * parseInPieces(Buffer.from('CREATE SCHEMA a;\nCREATE TABLE a.t (id int);\n'))?.stmts.length // → 2
 */
export function parseInPieces(buf: Buffer): AstNode | undefined {
  if (buf.length === 0) return undefined; // the parser refuses an empty script: its message, then
  const stmts: AstNode[] = [];
  for (let start = 0; start < buf.length;) {
    for (let size = PIECE_BYTES; ; size *= 2) {
      const semicolon = buf.indexOf(';\n', start + size);
      const end = semicolon === -1 ? buf.length : semicolon + 1;
      let tree: AstNode;
      try {
        tree = parseSync(buf.subarray(start, end).toString('utf8'));
      } catch {
        if (end === buf.length) return undefined;
        continue;
      }
      const pieceStmts: AstNode[] = tree.stmts ?? [];
      const last = pieceStmts[pieceStmts.length - 1];
      if (end < buf.length && !(last?.stmt_len && (last.stmt_location ?? 0) + last.stmt_len === end - start - 1)) continue;
      for (const raw of pieceStmts) stmts.push({ ...raw, stmt_location: (raw.stmt_location ?? 0) + start });
      start = end;
      break;
    }
  }
  return { stmts };
}
