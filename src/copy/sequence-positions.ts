import { ClientBase } from 'pg';
import { listSchemaObjects } from './list-tables';
import { checkSchemaMappings, mappedOnly, SchemaMapping } from './schema-mapping';
import { ClientOrConnection, useConnection } from './use-connection';
import { CopyError } from '../errors';
import { quoteQualified } from '../quote';

/** Where a sequence stands: `nextval` returns `lastValue` + increment when `isCalled`, else `lastValue`. */
export interface SequencePosition {
  /** `last_value` as text: bigint-safe beyond 2^53. */
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** A sequence (source schema and name) and the position it was given in the target. */
export interface CopiedSequence extends SequencePosition {
  readonly schema: string;
  readonly name: string;
}

/** Options of {@link copySequencePositions}. */
export interface CopySequencePositionsOptions {
  /** Source client (ideally inside the snapshot, so the list matches the copied tables) or database. */
  readonly source: ClientOrConnection;
  readonly target: ClientOrConnection;
  /** Source schema → staging schema in the target holding the same sequences. */
  readonly schemas: readonly SchemaMapping[];
  /** Join this exported snapshot when `source` is a database rather than a client. */
  readonly snapshotId?: string;
}

/**
 * Read a sequence's position. Sequences are not transactional: this is the value now, even inside
 * an older snapshot.
 *
 * @example
 * const { lastValue, isCalled } = await readSequencePosition(client, 'customer_a1', 'orders_id_seq');
 */
export async function readSequencePosition(client: ClientBase, schema: string, name: string): Promise<SequencePosition> {
  const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
    `SELECT last_value::text AS last_value, is_called FROM ${quoteQualified(schema, name)}`);
  return { lastValue: rows[0].last_value, isCalled: rows[0].is_called };
}

/**
 * Give every sequence of the staging schemas the position its source sequence has, with
 * `setval(seq, last_value, is_called)`, so the next `nextval` in the target returns what it would
 * have returned at the source. Run it after the data copy: sequences are read at call time.
 *
 * @example
 * const sequences = await copySequencePositions({
 *   source: snapshot.client, target: targetUrl,
 *   schemas: [{ source: 'customer_a1', target: 'customer_a1_staging' }],
 * });
 */
export async function copySequencePositions(options: CopySequencePositionsOptions): Promise<CopiedSequence[]> {
  checkSchemaMappings(options.schemas);
  const positions = await useConnection(options.source, { role: 'source', snapshotId: options.snapshotId }, async (source) => {
    const read: { mapping: SchemaMapping; sequence: CopiedSequence }[] = [];
    for (const mapping of options.schemas) {
      for (const { name } of mappedOnly(mapping, (await listSchemaObjects(source, mapping.source)).sequences)) {
        read.push({ mapping, sequence: { schema: mapping.source, name, ...await readSequencePosition(source, mapping.source, name) } });
      }
    }
    return read;
  });
  return useConnection(options.target, { role: 'target' }, async (target) => {
    for (const { mapping, sequence } of positions) {
      try {
        await target.query('SELECT setval($1::regclass, $2::bigint, $3)', [quoteQualified(mapping.target, sequence.name), sequence.lastValue, sequence.isCalled]);
      } catch (err) {
        throw new CopyError(sequence.schema, sequence.name,
          `setting sequence ${mapping.target}.${sequence.name} to ${sequence.lastValue} failed: ${(err as Error).message}; check that the staging schema holds the sequence`,
          { cause: err, code: 'SEQUENCE_FAILED' });
      }
    }
    return positions.map((p) => p.sequence);
  });
}
