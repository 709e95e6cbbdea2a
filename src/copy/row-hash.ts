/* eslint-disable no-bitwise -- a hash function: shifts, xors and 32-bit wrapping are what it is made of */
import type { RelationChecksum } from '../validate/checksum-relation';

const NEWLINE = 0x0a;
const SEED_A = 0x811c9dc5;
const SEED_B = 0x9747b28c;
const TWO_32 = 2 ** 32;

/** murmur3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Row count and content checksum of text-format COPY data as it streams past, in chunks cut
 * anywhere: every row (a line; text COPY escapes newlines inside values) is hashed to 64 bits, and
 * the hashes are summed modulo 2^64, so the sum does not depend on row order, counts duplicate rows,
 * and the sums of a split table's parts add up to the table's. Each of the two 32-bit lanes steps
 * through the row's bytes with a bijection (xor, then multiply by an odd number), so two rows of one
 * length that differ in any one byte always hash differently; the length is mixed in at the end.
 *
 * Both sides of a comparison must hash the same text: the same column list, read with the same
 * session settings (those of `connect()`), as `COPY … TO STDOUT` in text format.
 *
 * @example
 * const sum = new RowHashSum();
 * sum.update(Buffer.from('1\tone\n2\tt'));
 * sum.update(Buffer.from('wo\n'));
 * sum.result(); // { rows: 2, checksum: '…16 hex digits…' }
 */
export class RowHashSum {
  private a = SEED_A;
  private b = SEED_B;
  private length = 0;
  private low = 0;
  private high = 0;
  private rows = 0;

  /** Hash the rows a chunk ends, and carry the row it leaves open into the next. */
  update(chunk: Uint8Array): void {
    let { a, b, length, low, high, rows } = this;
    for (let start = 0; start < chunk.length;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      for (let i = start; i < end; i++) {
        a = Math.imul(a ^ chunk[i], 0x01000193);
        b = Math.imul(b ^ chunk[i], 0x5bd1e995);
      }
      length += end - start;
      if (newline === -1) break;
      low += mix(a ^ length);
      high = (high + mix(b + Math.imul(length, 0x27d4eb2f))) >>> 0;
      if (low >= TWO_32) {
        low -= TWO_32;
        high = (high + 1) >>> 0;
      }
      rows++;
      a = SEED_A;
      b = SEED_B;
      length = 0;
      start = newline + 1;
    }
    this.a = a;
    this.b = b;
    this.length = length;
    this.low = low;
    this.high = high;
    this.rows = rows;
  }

  /** The rows and the sum of their hashes so far; a last row without its newline counts as a row. */
  result(): RelationChecksum {
    if (this.length > 0) this.update(Uint8Array.of(NEWLINE));
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return { rows: this.rows, checksum: hex(this.high) + hex(this.low) };
  }
}

/**
 * Add checksums of a table's parts (see {@link RowHashSum}) into the table's: rows add up, sums add
 * modulo 2^64.
 *
 * @example
 * addChecksums({ rows: 1, checksum: 'ffffffffffffffff' }, { rows: 1, checksum: '0000000000000002' });
 * // → { rows: 2, checksum: '0000000000000001' }
 */
export function addChecksums(x: RelationChecksum, y: RelationChecksum): RelationChecksum {
  const sum = (BigInt(`0x${x.checksum}`) + BigInt(`0x${y.checksum}`)) & 0xffffffffffffffffn;
  return { rows: x.rows + y.rows, checksum: sum.toString(16).padStart(16, '0') };
}
