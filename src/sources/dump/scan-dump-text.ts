import { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter';
import type { PlainDumpGuard } from './plain-dump-guard';
import { nodeType } from '../../ddl/ast';
import { parseStatements } from '../../ddl/sql-statements';
import { loadSqlParser } from '../../ddl/sql-tokens';

/** The rows of one table's COPY block in a dump. */
export interface CopiedTable {
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  /** Bytes of the COPY text rows (the data as pg_dump wrote it, newlines included). */
  readonly bytes: number;
}

/** What a pass over pg_dump's SQL text (a plain dump, or pg_restore's script output) found. */
export interface DumpTextScan {
  /** The `-- Started on` line pg_dump --verbose writes: the wall-clock time (as if UTC) and the zone written after it. */
  readonly startedOn?: { readonly wallClock: Date; readonly zone: string };
  /** Major version of the dumped server (`-- Dumped from database version`). */
  readonly serverMajor?: number;
  /** Schemas the script creates (`CREATE SCHEMA`). */
  readonly createdSchemas: string[];
  /** Every COPY block, in order. */
  readonly tables: CopiedTable[];
  /** The script without its COPY blocks and large objects' content (only with `keepDdl`). */
  readonly ddl?: string;
  /** True when the text holds pg_dump's closing `-- PostgreSQL database dump complete` line and ends outside a COPY block: it was not cut short. */
  readonly complete: boolean;
}

export interface ScanDumpTextOptions {
  /** Keep the text outside COPY blocks (for the roles the DDL names); memory then grows with the DDL. @default false */
  readonly keepDdl?: boolean;
  /** Check in the same pass that the text is data psql may load (a plain dump): it sees every line first and throws on the first that is not. */
  readonly guard?: PlainDumpGuard;
}

const COMPLETE = '-- PostgreSQL database dump complete';
const STARTED_ON = /^-- Started on (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ?(.*)$/;

/** A statement on one line, parsed by PostgreSQL's parser; undefined when the line is not a whole statement. */
function parseLine(line: string): [string, ReturnType<typeof nodeType>[1]] | undefined {
  try {
    const [statement] = parseStatements(line);
    return statement ? nodeType(statement.tree) : undefined;
  } catch {
    return undefined;
  }
}

const LOWRITE = 'SELECT pg_catalog.lowrite(';

/**
 * Read pg_dump's SQL text once, front to back, holding one line at a time: count the rows and bytes
 * of every COPY block (pg_dump's default data format; `--inserts` dumps are not counted), note the
 * schemas it creates and its `-- Started on` time. COPY and CREATE SCHEMA statements are recognised
 * by PostgreSQL's parser on lines that start like them (pg_dump writes each on one line).
 *
 * @example
 * const scan = await scanDumpText(createReadStream('tenant_a.sql'));
 * scan.tables; // [{ schema: 'customer_a1', table: 'users', rows: 200, bytes: 24100 }, ...]
 */
export async function scanDumpText(stream: Readable, options: ScanDumpTextOptions = {}): Promise<DumpTextScan> {
  await loadSqlParser();
  let startedOn: DumpTextScan['startedOn'];
  let serverMajor: number | undefined;
  const createdSchemas: string[] = [];
  const tables: CopiedTable[] = [];
  const ddl: string[] = [];
  let copying: { schema: string; table: string; rows: number; bytes: number } | undefined;
  let complete = false;
  const onLine = (line: Buffer): void => {
    options.guard?.line(line);
    if (copying) {
      if (line.length <= 3 && line.toString('latin1').trimEnd() === '\\.') {
        tables.push(copying);
        copying = undefined;
      } else {
        copying.rows += 1;
        copying.bytes += line.length + 1;
      }
      return;
    }
    const text = line.toString('utf8').replace(/\r$/, '');
    if (text === COMPLETE) complete = true;
    if (text.startsWith('COPY ') && text.endsWith(' FROM stdin;')) {
      const [type, node] = parseLine(text) ?? [];
      if (type === 'CopyStmt' && node.is_from && !node.filename && node.relation) {
        copying = { schema: node.relation.schemaname ?? 'public', table: node.relation.relname, rows: 0, bytes: 0 };
        return;
      }
    } else if (text.startsWith('CREATE SCHEMA ')) {
      const [type, node] = parseLine(text) ?? [];
      if (type === 'CreateSchemaStmt' && node.schemaname) createdSchemas.push(node.schemaname);
    } else if (serverMajor === undefined && text.startsWith('-- Dumped from database version ')) {
      serverMajor = Number(/^-- Dumped from database version (\d+)/.exec(text)?.[1]) || undefined;
    } else if (!startedOn && text.startsWith('-- Started on ')) {
      const m = STARTED_ON.exec(text);
      if (m) startedOn = { wallClock: new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])), zone: m[7].trim() };
    }
    // Large objects' content (one lowrite per slice) names no schema or role and would fill memory.
    if (options.keepDdl && !text.startsWith(LOWRITE)) ddl.push(text);
  };
  const lines = new LineSplitter(onLine);
  for await (const chunk of stream) lines.push(chunk as Buffer);
  lines.end();
  options.guard?.end();
  return { startedOn, serverMajor, createdSchemas, tables, ddl: options.keepDdl ? ddl.join('\n') : undefined, complete: complete && !copying };
}
