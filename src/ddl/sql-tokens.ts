import { loadModule, scanSync } from 'libpg-query';
import { DdlError } from '../errors';

/** A lexical token of PostgreSQL's own scanner, with byte offsets into the scanned text. */
export interface SqlToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Scanner token name: IDENT, SCONST, TYPECAST, ... ; keywords are reported with their keyword kind. */
  readonly tokenName: string;
  /** NO_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD, TYPE_FUNC_NAME_KEYWORD or RESERVED_KEYWORD. */
  readonly keywordKind: string;
}

let loaded: Promise<void> | undefined;

/** Load the PostgreSQL parser (WebAssembly) once; every parser call needs it. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Scan SQL with PostgreSQL's lexer; comments are dropped. Offsets are UTF-8 byte offsets. */
export function scanSql(text: string): SqlToken[] {
  let result;
  try {
    result = scanSync(text);
  } catch (err) {
    // The lexer reports errors (such as "trailing junk after numeric literal") as text, not JSON.
    throw new DdlError(`the SQL lexer rejected the text: ${(err as Error).message.replace(/^Unexpected token .*?"(.*?)"\.\.\. is not valid JSON$/, '$1')}`, { cause: err });
  }
  return result.tokens
    .filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT')
    .map((t) => ({ start: t.start, end: t.end, text: t.text, tokenName: t.tokenName, keywordKind: t.keywordName }));
}

/**
 * The tokens inside each byte range, in one pass (tokens and ranges both in text order): what a
 * per-range filter would give, without rescanning every token for every statement.
 */
export function tokensByRange(tokens: SqlToken[], ranges: ReadonlyArray<readonly [start: number, end: number]>): SqlToken[][] {
  let at = 0;
  return ranges.map(([start, end]) => {
    while (at < tokens.length && tokens[at].start < start) at++;
    const inside: SqlToken[] = [];
    for (let i = at; i < tokens.length && tokens[i].start < end; i++) if (tokens[i].end <= end) inside.push(tokens[i]);
    return inside;
  });
}

/**
 * The name an identifier token stands for — quoted identifiers unquoted, plain ones folded to
 * lower case as PostgreSQL does — or undefined when the token cannot be an identifier.
 */
export function identifierValue(token: SqlToken): string | undefined {
  if (token.tokenName === 'IDENT') {
    if (token.text.startsWith('"')) return token.text.slice(1, -1).replace(/""/g, '"');
    if (/^[Uu]&"/.test(token.text)) return undefined;
    return token.text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  // Unreserved and column-name keywords double as identifiers (a schema may be called "data").
  if (token.keywordKind !== 'NO_KEYWORD' && /^[A-Za-z_]\w*$/.test(token.text)) return token.text.toLowerCase();
  return undefined;
}

/** True when the token is the keyword `word` (case-insensitive). */
export function isKeyword(token: SqlToken | undefined, word: string): boolean {
  return !!token && token.keywordKind !== 'NO_KEYWORD' && token.text.toUpperCase() === word;
}

/**
 * Quote an identifier the way pg_dump does: bare when it is a lower-case plain name that is not a
 * reserved word, double-quoted otherwise. Decided by PostgreSQL's own lexer.
 */
export function formatIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name)) {
    const tokens = scanSync(name).tokens;
    if (tokens.length === 1 && (tokens[0].keywordName === 'NO_KEYWORD' || tokens[0].keywordName === 'UNRESERVED_KEYWORD')) return name;
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string constant token's value and how to write a new value in the same quoting style. */
export interface StringLiteral {
  readonly value: string;
  encode(value: string): string;
}

/** Decode a string constant token ('...' or $tag$...$tag$); undefined for E'', U&'' and other forms. */
export function decodeStringLiteral(token: SqlToken): StringLiteral | undefined {
  if (token.tokenName !== 'SCONST') return undefined;
  const text = token.text;
  if (text.startsWith("'")) {
    return { value: text.slice(1, -1).replace(/''/g, "'"), encode: (v) => `'${v.replace(/'/g, "''")}'` };
  }
  const tag = /^\$[A-Za-z_]?\w*\$/.exec(text)?.[0];
  if (tag && text.endsWith(tag) && text.length >= tag.length * 2) {
    return {
      value: text.slice(tag.length, text.length - tag.length),
      encode: (v) => {
        if (v.includes(tag)) throw new DdlError(`renaming would put the body's own dollar-quote delimiter ${tag} inside it; choose a suffix without ${tag}`);
        return `${tag}${v}${tag}`;
      },
    };
  }
  return undefined;
}
