import { parseSync } from 'libpg-query';
import { forbiddenStatement } from './archive-statement-rules';
import { archiveCorrupt, archiveNotData } from './dump-archive-errors';
import { PsqlLineEvent, PsqlScriptLexer } from './psql-script-lexer';
import { AstNode, nodeType } from '../../ddl/ast';

/** What a line of a plain dump is to psql: SQL, COPY data, or one of pg_dump's own meta-commands. */
export type GuardedLine = 'sql' | 'copy-data' | 'restrict' | 'connect';

/** pg_dump's own meta-commands, whole lines: `\restrict KEY`, `\unrestrict KEY`, `\connect db` (no host, port or options). */
const RESTRICT = /^\\(un)?restrict [A-Za-z0-9]+\s*$/;
const CONNECT = /^\\connect (?:[A-Za-z0-9_.]+|-reuse-previous=on "dbname=(?:'(?:[^'\\"]|\\.|"")*'|[A-Za-z0-9_.]+)")\s*$/;

/** A statement that never ends (a quote left open) would otherwise be held whole in memory. */
const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

/** Skip blanks and comments from `at`: where the statement's first token is. */
function firstToken(text: string, at: number): number {
  for (let i = at; i < text.length;) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith('--', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) === -1 ? text.length : text.indexOf('*/', i) + 2;
    else return i;
  }
  return text.length;
}

/**
 * Checks a plain SQL dump line by line, as psql will read it, that it is data and nothing else:
 * no psql meta-command but pg_dump's own `\connect`/`\restrict`/`\unrestrict` (wherever a backslash
 * stands outside quotes and comments, not only at a line's start), no statement that runs code or
 * reaches outside the server (see {@link forbiddenStatement}); `COPY … FROM stdin` data is data.
 * Throws `ARCHIVE_NOT_DATA` naming the line and the command, `ARCHIVE_CORRUPT` for SQL that does
 * not parse. Holds one statement at a time.
 *
 * @example
 * const guard = new PlainDumpGuard('/backups/tenant_a.sql');
 * for (const line of lines) guard.line(line);
 * guard.end();
 */
export class PlainDumpGuard {
  private readonly lexer = new PsqlScriptLexer();
  private lineNumber = 0;
  /** COPY … FROM stdin statements sent whose data has not ended yet. */
  private copies = 0;
  private inData = false;
  /** Text (latin1, one character per byte) since the last statement that parsed, and the line it starts on. */
  private pending = '';
  private pendingLine = 1;
  /** A `;` was seen whose statement did not parse yet (`;` inside a `BEGIN ATOMIC` body, or garbage). */
  private unparsed = false;

  constructor(private readonly where: string) {}

  /** Check the next line (without its `\n`) and say what it is. */
  public line(bytes: Buffer): GuardedLine {
    this.lineNumber++;
    if (this.inData) {
      // psql ends COPY data at a line that is exactly `\.`.
      if (bytes.length <= 3 && /^\\\.\r?$/.test(bytes.toString('latin1'))) {
        this.copies--;
        this.inData = this.copies > 0;
      }
      return 'copy-data';
    }
    const text = bytes.toString('latin1');
    if (this.pending === '') this.pendingLine = this.lineNumber;
    let from = 0;
    for (const event of this.lexer.scanLine(text)) {
      if (event.kind === 'meta') return this.metaCommand(event, text, from);
      this.pending += text.slice(from, event.at + 1);
      from = event.at + 1;
      this.statementEnded();
    }
    this.pending += `${text.slice(from)}\n`;
    if (this.pending.length > MAX_STATEMENT_BYTES) throw archiveCorrupt(`${this.where} line ${this.pendingLine}: a statement longer than 64 MiB (an unclosed quote?)`);
    if (this.copies > 0) this.inData = true;
    return 'sql';
  }

  /** The archive ended: psql runs what is left without a `;` too. */
  public end(): void {
    if (!this.lexer.significant && !this.unparsed) return;
    this.lexer.significant = false;
    this.check(true);
  }

  private metaCommand(event: Extract<PsqlLineEvent, { kind: 'meta' }>, text: string, from: number): GuardedLine {
    const command = /^\\([A-Za-z]+|.?)/.exec(event.text)![0];
    const midStatement = this.lexer.significant || this.unparsed || text.slice(from, event.at).trim() !== '';
    if (event.at === 0 && !midStatement) {
      const allowed = RESTRICT.test(text) ? 'restrict' : CONNECT.test(text) ? 'connect' : undefined;
      if (allowed) {
        this.pending += '\n';
        return allowed;
      }
    }
    const what = command === '\\connect' ? 'psql meta-command \\connect with more than a database name' : `psql meta-command ${command}`;
    throw archiveNotData(this.where, this.lineNumber, what);
  }

  /** The line of the first token at or after an offset of the pending text. */
  private lineOf(offset: number): number {
    return this.pendingLine + (this.pending.slice(0, firstToken(this.pending, offset)).match(/\n/g)?.length ?? 0);
  }

  private statementEnded(): void {
    this.unparsed = !this.check(false);
    if (this.unparsed) return;
    this.pending = '';
    this.pendingLine = this.lineNumber;
  }

  /** Parse what is pending and check each statement; false when it does not parse (yet). */
  private check(final: boolean): boolean {
    let statements: AstNode[];
    try {
      statements = parseSync(Buffer.from(this.pending, 'latin1').toString('utf8')).stmts ?? [];
    } catch (err) {
      if (!final) return false;
      throw archiveCorrupt(`${this.where} line ${this.lineOf(0)}: the SQL does not parse (${(err as Error).message})`, err);
    }
    for (const raw of statements) {
      const [type, node] = nodeType(raw.stmt);
      const forbidden = forbiddenStatement(raw.stmt);
      if (forbidden) {
        throw archiveNotData(this.where, this.lineOf(raw.stmt_location ?? 0), forbidden);
      }
      if (type === 'CopyStmt' && node.is_from) this.copies++;
    }
    return true;
  }
}
