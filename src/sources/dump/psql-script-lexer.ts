/** What the lexer found on a line, in order: a backslash command, or the `;` that ends a statement. */
export type PsqlLineEvent =
  | { readonly kind: 'meta'; readonly at: number; readonly text: string }
  | { readonly kind: 'end'; readonly at: number };

type Mode =
  | { readonly in: 'sql' }
  | { readonly in: 'quote'; readonly escapes: boolean }
  | { readonly in: 'ident' }
  | { readonly in: 'dollar'; readonly tag: string }
  | { readonly in: 'comment'; readonly depth: number };

/** A byte that continues an identifier (letters, digits, `_`, `$`, and every non-ASCII byte). */
function isIdentByte(code: number): boolean {
  const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return letter || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x24 || code >= 0x80;
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$/y;

/**
 * psql's view of a SQL script, line by line, as its own lexer sees it (standard_conforming_strings
 * on, an encoding where `\` and `'` never end a multibyte character): a backslash outside quotes,
 * dollar quotes and comments starts a meta-command wherever it stands, and a `;` outside them and
 * outside parentheses sends a statement. Lines are latin1 strings (one character per byte), so
 * positions are byte offsets. State is carried from line to line; memory is constant.
 *
 * @example
 * const lexer = new PsqlScriptLexer();
 * lexer.scanLine("SELECT 'a\\b'; \\! id"); // [{ kind: 'end', at: 12 }, { kind: 'meta', at: 14, text: '\\! id' }]
 */
export class PsqlScriptLexer {
  private mode: Mode = { in: 'sql' };
  private parens = 0;
  /** Something other than blanks and comments was seen since the last `;`. */
  public significant = false;

  /** The events of one line (without its `\n`); a meta-command takes the rest of its line. */
  public scanLine(line: string): PsqlLineEvent[] {
    const events: PsqlLineEvent[] = [];
    for (let i = 0; i < line.length;) {
      const mode = this.mode;
      if (mode.in === 'comment') i = this.scanComment(line, i, mode.depth);
      else if (mode.in === 'quote') i = this.scanQuoted(line, i, 0x27, mode.escapes);
      else if (mode.in === 'ident') i = this.scanQuoted(line, i, 0x22, false);
      else if (mode.in === 'dollar') i = this.scanDollar(line, i, mode.tag);
      else i = this.scanSql(line, i, events);
    }
    return events;
  }

  /** Inside a (nestable) block comment. */
  private scanComment(line: string, i: number, depth: number): number {
    const c = line.charCodeAt(i);
    const next = line.charCodeAt(i + 1);
    if (c === 0x2a && next === 0x2f) {
      this.mode = depth === 1 ? { in: 'sql' } : { in: 'comment', depth: depth - 1 };
      return i + 2;
    }
    if (c === 0x2f && next === 0x2a) {
      this.mode = { in: 'comment', depth: depth + 1 };
      return i + 2;
    }
    return i + 1;
  }

  /** Inside '…' or "…": a doubled quote stays inside, a backslash escapes only in E'…'. */
  private scanQuoted(line: string, i: number, quote: number, escapes: boolean): number {
    const c = line.charCodeAt(i);
    if (escapes && c === 0x5c) return i + 2;
    if (c !== quote) return i + 1;
    if (line.charCodeAt(i + 1) === quote) return i + 2;
    this.mode = { in: 'sql' };
    return i + 1;
  }

  /** Inside $tag$…$tag$: nothing but the closing tag counts. */
  private scanDollar(line: string, i: number, tag: string): number {
    const close = line.indexOf(tag, i);
    if (close === -1) return line.length;
    this.mode = { in: 'sql' };
    return close + tag.length;
  }

  /** One step outside quotes and comments, from `i`; returns where to go on. */
  private scanSql(line: string, i: number, events: PsqlLineEvent[]): number {
    const c = line.charCodeAt(i);
    const previous = i > 0 ? line.charCodeAt(i - 1) : 0x20;
    if (c === 0x2d && line.charCodeAt(i + 1) === 0x2d) return line.length;
    if (c === 0x2f && line.charCodeAt(i + 1) === 0x2a) {
      this.mode = { in: 'comment', depth: 1 };
      return i + 2;
    }
    if (c === 0x5c) {
      events.push({ kind: 'meta', at: i, text: line.slice(i) });
      return line.length;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) return i + 1;
    this.significant = true;
    if (c === 0x27) {
      // E'…' (also e'…') takes backslash escapes; N'…', B'…', X'…', U&'…' and plain '…' do not.
      const prefix = previous === 0x45 || previous === 0x65;
      const standalone = i < 2 || !isIdentByte(line.charCodeAt(i - 2));
      this.mode = { in: 'quote', escapes: prefix && standalone };
      return i + 1;
    }
    if (c === 0x22) {
      this.mode = { in: 'ident' };
      return i + 1;
    }
    if (c === 0x24 && !isIdentByte(previous)) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(line)?.[0];
      if (tag) {
        this.mode = { in: 'dollar', tag };
        return i + tag.length;
      }
      return i + 1;
    }
    if (c === 0x28) {this.parens++;} else if (c === 0x29) {this.parens = Math.max(0, this.parens - 1);} else if (c === 0x3b && this.parens === 0) {
      events.push({ kind: 'end', at: i });
      this.significant = false;
    }
    return i + 1;
  }
}
