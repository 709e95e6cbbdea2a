import { addChecksums, RowHashSum } from '../../src/copy/row-hash';

/** The checksum of COPY text, fed in the given chunk sizes. */
function hashOf(text: string, chunkSizes: number[] = [text.length]): ReturnType<RowHashSum['result']> {
  const sum = new RowHashSum();
  const bytes = Buffer.from(text);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length];
    sum.update(bytes.subarray(at, at + size));
    at += size;
  }
  return sum.result();
}

const ROWS = '1\tAda\t2024-01-01\n2\tGrace\t\\N\n3\tLinus\t2023-05-06\n3\tLinus\t2023-05-06\n';

test('the checksum does not depend on where the chunks are cut', () => {
  const whole = hashOf(ROWS);
  expect(whole.rows).toBe(4);
  expect(whole.checksum).toMatch(/^[0-9a-f]{16}$/);
  for (const sizes of [[1], [2, 7], [5], [13, 1, 3], [ROWS.length - 1]]) expect(hashOf(ROWS, sizes)).toEqual(whole);
});

test('row order does not matter, duplicates count, and any changed byte, added or lost row changes it', () => {
  const lines = ROWS.split('\n').filter(Boolean);
  const whole = hashOf(ROWS);
  expect(hashOf(`${[...lines].reverse().join('\n')}\n`)).toEqual(whole);
  expect(hashOf(`${lines.slice(0, 3).join('\n')}\n`)).toMatchObject({ rows: 3 });
  expect(hashOf(`${lines.slice(0, 3).join('\n')}\n`).checksum).not.toBe(whole.checksum);
  // Every single-byte change of distinct rows (newlines aside) gives another sum.
  const distinct = `${lines.slice(0, 3).join('\n')}\n`;
  const seen = new Set([hashOf(distinct).checksum]);
  for (let i = 0; i < distinct.length; i++) {
    if (distinct[i] === '\n') continue;
    seen.add(hashOf(distinct.slice(0, i) + (distinct[i] === 'x' ? 'y' : 'x') + distinct.slice(i + 1)).checksum);
  }
  expect(seen.size).toBe(distinct.replace(/\n/g, '').length + 1);
  // Values moved between columns of one row, or between rows, are not the same content.
  expect(hashOf('1\t2\n').checksum).not.toBe(hashOf('2\t1\n').checksum);
  expect(hashOf('a\tb\nc\td\n').checksum).not.toBe(hashOf('a\td\nc\tb\n').checksum);
  expect(hashOf('\n\n').checksum).not.toBe(hashOf('\n').checksum);
});

test('a last row without its newline is still a row, and the parts of a table add up to the whole', () => {
  expect(hashOf('1\t2\n3\t4')).toEqual(hashOf('1\t2\n3\t4\n'));
  const lines = Array.from({ length: 1000 }, (_, i) => `${i}\tname ${i}\t${i * 1.5}\n`);
  const parts = [lines.slice(0, 10), lines.slice(10, 600), lines.slice(600)].map((p) => hashOf(p.join('')));
  expect(parts.reduce(addChecksums)).toEqual(hashOf(lines.join('')));
  expect(hashOf('')).toEqual({ rows: 0, checksum: '0000000000000000' });
});

test('sums wrap around 2^64', () => {
  expect(addChecksums({ rows: 1, checksum: 'ffffffffffffffff' }, { rows: 2, checksum: '0000000000000002' })).toEqual({ rows: 3, checksum: '0000000000000001' });
  // Many rows carry from the low into the high 32 bits as one sum would.
  const rows = Array.from({ length: 5000 }, (_, i) => `${i}\n`);
  const one = hashOf(rows.join(''));
  const bySingles = rows.map((r) => hashOf(r)).reduce(addChecksums);
  expect(bySingles).toEqual(one);
});
