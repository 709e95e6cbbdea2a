import type { ClientBase } from 'pg';
import { hashBytesExtended } from './pg-hash';
import type { RelationChecksum } from '../validate/checksum-relation';

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const TWO_32 = 2 ** 32;
/** Rows summed in plain numbers before the sum moves into a bigint: |high| stays below 2^53. */
const FLUSH_EVERY = 2 ** 20;
/** The record buffer rows are written into, and the most of it kept after a larger row. */
const RECORD_BYTES = 256;
const MAX_KEPT_RECORD_BYTES = 1024 * 1024;

/** COPY text's backslash escapes (the ones COPY TO writes), by the letter after the backslash. */
const UNESCAPE = new Int16Array(256).fill(-1);
for (const [letter, byte] of [['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9], ['v', 11], ['\\', 92]] as const) UNESCAPE[letter.charCodeAt(0)] = byte;

/** Bytes that make record_out quote a value: `"`, `\`, `(`, `)`, `,` and C's isspace. */
const QUOTED = new Uint8Array(256);
for (const byte of [34, 92, 40, 41, 44, 32, 9, 10, 11, 12, 13]) QUOTED[byte] = 1;

/**
 * Row count and content checksum of text-format COPY data as it streams past, in chunks cut anywhere —
 * the same value {@link checksumRelation} computes in SQL over the same columns,
 * `sum(hashtextextended(ROW(c1, c2, …)::text, 0))`, so one side can be hashed in the stream and the
 * other by a query. Each row (a line: COPY escapes newlines inside values) is turned from COPY's text
 * (tab-separated, backslash escapes, `\N` for NULL) into the record's text (`(v1,v2,…)`: NULL empty,
 * a value quoted when empty or holding `"`, `\`, `(`, `)`, `,` or white space, with `"` and `\`
 * doubled, as PostgreSQL's record_out writes it), hashed with PostgreSQL's `hash_bytes_extended`, and
 * summed exactly. Both sides must use the settings of `connect()`, and the server the query runs on
 * must store UTF8 (COPY sends client-encoding bytes, UTF8; the query hashes server-encoding ones).
 *
 * @example
 * const sum = new RowHashSum(2);
 * sum.update(Buffer.from('1\tone\n2\t\\N'));
 * sum.update(Buffer.from('\n'));
 * sum.result(); // { rows: 2, checksum: '…' } — as SELECT count(*), sum(hashtextextended(ROW(a, b)::text, 0))
 */
export class RowHashSum {
  /**
   * The pieces of a row that chunks left open (the stream does not reuse its chunks), joined once its
   * newline arrives: a 100 MB row spans many chunks.
   */
  private partial: Uint8Array[] = [];
  private record = new Uint8Array(RECORD_BYTES);
  private low = 0;
  private high = 0;
  private big = 0n;
  private rows = 0;

  /** @param columns how many columns the COPY has (0 gives rows of `()`). */
  constructor(private readonly columns: number) {}

  /** Hash the rows a chunk ends, and keep the row it leaves open for the next; how many rows it ended. */
  update(chunk: Uint8Array): number {
    const before = this.rows;
    let start = 0;
    if (this.partial.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.partial.push(chunk);
        return 0;
      }
      const line = Buffer.concat([...this.partial, chunk.subarray(0, newline)]);
      this.partial = [];
      this.addRow(line, 0, line.length);
      start = newline + 1;
    }
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.addRow(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    return this.rows - before;
  }

  /** The rows and the sum of their hashes so far, as the query returns them (a last row without its newline counts). */
  result(): RelationChecksum {
    if (this.partial.length > 0) this.update(Uint8Array.of(NEWLINE));
    const sum = this.big + BigInt(this.high) * BigInt(TWO_32) + BigInt(this.low);
    return { rows: this.rows, checksum: sum.toString() };
  }

  private addRow(bytes: Uint8Array, start: number, end: number): void {
    const length = this.columns === 0 ? this.writeEmptyRecord() : this.writeRecord(bytes, start, end);
    const { high, low } = hashBytesExtended(this.record, length);
    // A very large row's buffer is not kept for the rows after it.
    if (this.record.length > MAX_KEPT_RECORD_BYTES) this.record = new Uint8Array(RECORD_BYTES);
    this.low += low;
    this.high += high;
    if (this.low >= TWO_32) {
      this.low -= TWO_32;
      this.high += 1;
    }
    if (++this.rows % FLUSH_EVERY === 0) {
      this.big += BigInt(this.high) * BigInt(TWO_32);
      this.high = 0;
    }
  }

  private writeEmptyRecord(): number {
    this.record[0] = 0x28;
    this.record[1] = 0x29;
    return 2;
  }

  /** Write the record text of one COPY line into `record`; its length. One pass: a field is quoted afterwards if it must be. */
  private writeRecord(bytes: Uint8Array, start: number, end: number): number {
    // At most: parentheses, and per byte a doubled byte or two quotes.
    if (this.record.length < 2 * (end - start) + 4) this.record = new Uint8Array(2 * (end - start) + RECORD_BYTES);
    const out = this.record;
    let o = 1;
    out[0] = 0x28;
    let fieldIn = start;
    let fieldOut = o;
    let quote = false;
    for (let i = start; ; i++) {
      if (i === end || bytes[i] === TAB) {
        if (i - fieldIn === 2 && bytes[fieldIn] === BACKSLASH && bytes[fieldIn + 1] === 0x4e) {
          o = fieldOut; // NULL: nothing between the commas
        } else if (quote || i === fieldIn) {
          out.copyWithin(fieldOut + 1, fieldOut, o);
          out[fieldOut] = QUOTE;
          o += 1;
          out[o++] = QUOTE;
        }
        if (i === end) break;
        out[o++] = 0x2c;
        fieldIn = i + 1;
        fieldOut = o;
        quote = false;
        continue;
      }
      let byte = bytes[i];
      if (byte === BACKSLASH && i + 1 < end) {
        const letter = bytes[++i];
        byte = UNESCAPE[letter] >= 0 ? UNESCAPE[letter] : letter;
      }
      if (QUOTED[byte] === 1) {
        quote = true;
        if (byte === QUOTE || byte === BACKSLASH) out[o++] = byte;
      }
      out[o++] = byte;
    }
    out[o++] = 0x29;
    return o;
  }
}

/**
 * Add the checksums of a table's parts (see {@link RowHashSum}) into the table's: rows and sums add up.
 *
 * @example
 * addChecksums({ rows: 1, checksum: '-5' }, { rows: 2, checksum: '7' }); // → { rows: 3, checksum: '2' }
 */
export function addChecksums(x: RelationChecksum, y: RelationChecksum): RelationChecksum {
  return { rows: x.rows + y.rows, checksum: (BigInt(x.checksum) + BigInt(y.checksum)).toString() };
}

/**
 * Whether the stream's hash ({@link RowHashSum}) equals the checksum query on this server: its
 * encoding is UTF8, the client encoding of every session, so the bytes COPY carries are the bytes the
 * query hashes (the source's encoding does not matter: COPY converts to UTF8).
 *
 * @example
 * const hashing = await streamHashable(target);
 */
export async function streamHashable(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ server_encoding: string }>('SHOW server_encoding');
  return rows[0]?.server_encoding === 'UTF8';
}
