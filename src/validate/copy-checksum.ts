import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { RelationChecksum } from './checksum-relation';
import { RowHashSum } from '../copy/row-hash';
import { quoteIdent, quoteQualified } from '../quote';

/**
 * Row count and content checksum of a table as text-format COPY output, hashed as it streams
 * ({@link RowHashSum}): the same sum the copy computed from the rows it sent, so the source need not
 * be read again. The columns must be the copy's column list, in its order, and the session must have
 * the settings of `connect()`, as the copy's had.
 *
 * @example
 * const restored = await copyChecksum(target, 'pgsr_x_1', 'orders', ['id', 'total']);
 * restored.checksum === copied.checksum; // the rows arrived as they were sent
 */
export async function copyChecksum(client: ClientBase, schema: string, name: string, columns: readonly string[]): Promise<RelationChecksum> {
  const sum = new RowHashSum();
  const list = columns.map(quoteIdent).join(', ');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sum.update(chunk);
      callback();
    },
  });
  // Without columns (none, or only generated ones) every row is an empty line, as in the copy.
  await pipeline(client.query(copyTo(`COPY (SELECT ${list} FROM ONLY ${quoteQualified(schema, name)}) TO STDOUT`)), sink);
  return sum.result();
}
