import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter';
import { PlainDumpGuard } from './plain-dump-guard';
import { loadSqlParser } from '../../ddl/sql-tokens';

/** Options of {@link guardedPlainDump}. */
export interface GuardedPlainDumpOptions {
  /** The archive, for messages. */
  readonly where: string;
  /** Put psql in restricted mode (`\restrict KEY`) before the first line; undefined when this psql has no `\restrict`. */
  readonly restrictKey?: string;
}

const NEWLINE = Buffer.from('\n');

/**
 * Minimum minor release of each major version whose psql has `\restrict` (added in 18, backported
 * to 17.6, 16.10, 15.14, 14.19, 13.22).
 */
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/**
 * Whether a psql of this version knows `\restrict` (refusing every other meta-command until `\unrestrict`).
 *
 * @example
 * psqlHasRestrict('15.18'); // true
 * psqlHasRestrict('15.13'); // false
 */
export function psqlHasRestrict(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  if (major >= 18) return true;
  return RESTRICT_SINCE[major] !== undefined && (minor || 0) >= RESTRICT_SINCE[major];
}

/**
 * A key for `\restrict`: letters and digits only, as psql requires.
 *
 * @example
 * `\\restrict ${restrictKey()}`;
 */
export function restrictKey(): string {
  return randomBytes(24).toString('hex');
}

/**
 * A plain SQL dump as psql should read it: every line checked by {@link PlainDumpGuard} before it
 * is passed on (so what psql runs is exactly what was checked, even if the file changed since it
 * was inspected), the file's own `\restrict`/`\unrestrict` lines dropped, and — with a key — psql
 * put in restricted mode first, each allowed `\connect` let through between `\unrestrict` and
 * `\restrict`. A line that is not data fails the stream with `ARCHIVE_NOT_DATA`.
 *
 * @example
 * await runTool(psql, ['-X', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
 *   stdin: guardedPlainDump(await archiveStream(archive), { where, restrictKey: restrictKey() }) });
 */
export function guardedPlainDump(source: Readable, options: GuardedPlainDumpOptions): Readable {
  const key = options.restrictKey;
  async function* lines(): AsyncGenerator<Buffer> {
    await loadSqlParser();
    const guard = new PlainDumpGuard(options.where);
    let out: Buffer[] = key ? [Buffer.from(`\\restrict ${key}\n`)] : [];
    const splitter = new LineSplitter((line) => {
      const kind = guard.line(line);
      if (kind === 'restrict') return;
      if (kind === 'connect' && key) out.push(Buffer.from(`\\unrestrict ${key}\n`), line, Buffer.from(`\n\\restrict ${key}\n`));
      else out.push(line, NEWLINE);
    });
    for await (const chunk of source) {
      splitter.push(chunk as Buffer);
      if (out.length > 0) yield Buffer.concat(out);
      out = [];
    }
    splitter.end();
    guard.end();
    if (out.length > 0) yield Buffer.concat(out);
  }
  return Readable.from(lines(), { objectMode: false });
}
