/* eslint-disable no-bitwise -- PostgreSQL's hash function, ported: shifts, xors and 32-bit wrapping are what it is made of */

/** The result of {@link hashBytesExtended}: the 64-bit value as its signed high and unsigned low 32 bits. */
export interface Hash64 {
  /** Bits 63–32, as a signed 32-bit integer (the value is an `int8`). */
  readonly high: number;
  /** Bits 31–0, unsigned. */
  readonly low: number;
}

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * PostgreSQL's `hash_bytes_extended` (src/common/hashfn.c: Bob Jenkins' lookup3, 64-bit result)
 * with seed 0, over `length` bytes of `bytes` — what `hashtextextended(text, 0)` returns for a text of
 * those bytes under a deterministic collation. Little-endian reads, as on every platform PostgreSQL
 * computes it for (both of hashfn.c's read paths give the same value there).
 *
 * @example
 * hashBytesExtended(Buffer.from('(1,abc)'), 7); // same as SELECT hashtextextended('(1,abc)', 0)
 */
export function hashBytesExtended(bytes: Uint8Array, length: number): Hash64 {
  let a = (0x9e3779b9 + length + 3923095) | 0;
  let b = a;
  let c = a;
  let k = 0;
  let len = length;
  while (len >= 12) {
    a = (a + (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24))) | 0;
    b = (b + (bytes[k + 4] | (bytes[k + 5] << 8) | (bytes[k + 6] << 16) | (bytes[k + 7] << 24))) | 0;
    c = (c + (bytes[k + 8] | (bytes[k + 9] << 8) | (bytes[k + 10] << 16) | (bytes[k + 11] << 24))) | 0;
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    k += 12;
    len -= 12;
  }
  // The last 11 bytes (hashfn.c's switch falling through); the lowest byte of c is reserved for the length.
  if (len >= 11) c = (c + (bytes[k + 10] << 24)) | 0;
  if (len >= 10) c = (c + (bytes[k + 9] << 16)) | 0;
  if (len >= 9) c = (c + (bytes[k + 8] << 8)) | 0;
  if (len >= 8) b = (b + (bytes[k + 7] << 24)) | 0;
  if (len >= 7) b = (b + (bytes[k + 6] << 16)) | 0;
  if (len >= 6) b = (b + (bytes[k + 5] << 8)) | 0;
  if (len >= 5) b = (b + bytes[k + 4]) | 0;
  if (len >= 4) a = (a + (bytes[k + 3] << 24)) | 0;
  if (len >= 3) a = (a + (bytes[k + 2] << 16)) | 0;
  if (len >= 2) a = (a + (bytes[k + 1] << 8)) | 0;
  if (len >= 1) a = (a + bytes[k]) | 0;
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return { high: b | 0, low: c >>> 0 };
}
