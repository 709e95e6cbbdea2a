import { Client } from 'pg';
import { connect } from './connect';
import type { DatabaseConnection } from './resolve-connection';
import { InvalidInputError } from '../errors';

/**
 * A read-only REPEATABLE READ transaction on the source whose snapshot is exported, so that pg_dump
 * (`--snapshot`) and every copy worker (`SET TRANSACTION SNAPSHOT`) see exactly the same data.
 * It stays open until `close()`: through the whole copy and validation it holds back vacuum's
 * horizon at the source (see docs/data-path.md).
 */
export interface SourceSnapshot {
  /** Snapshot identifier for `SET TRANSACTION SNAPSHOT` / `pg_dump --snapshot`. */
  readonly id: string;
  /** Time the snapshot was taken (server clock, UTC). */
  readonly takenAt: Date;
  /** The connection holding the snapshot open; usable for catalog reads in the snapshot. */
  readonly client: Client;
  close(): Promise<void>;
}

/**
 * The snapshot session is idle in its transaction for as long as the copy runs; a source guard
 * (`idle_in_transaction_session_timeout`) must not end it. Session-level, for this session only:
 * the database's and role's settings are not changed. Sessions that join the snapshot do the same.
 */
const KEEP_WHILE_IDLE = 'SET idle_in_transaction_session_timeout = 0';

/**
 * Export a snapshot of the source database.
 *
 * @example
 * const snap = await openSourceSnapshot(sourceUrl);
 * try { ...workers use snap.id... } finally { await snap.close(); }
 */
export async function openSourceSnapshot(source: DatabaseConnection): Promise<SourceSnapshot> {
  const client = await connect(source, 'source', 'pg-schema-restore snapshot');
  try {
    await client.query(`${KEEP_WHILE_IDLE}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    const { rows } = await client.query<{ id: string; taken_at: Date }>('SELECT pg_export_snapshot() AS id, now() AS taken_at');
    let closed = false;
    return {
      id: rows[0].id,
      takenAt: rows[0].taken_at,
      client,
      close: async () => {
        if (closed) return;
        closed = true;
        await client.query('COMMIT').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/**
 * Open a connection that sees the given exported snapshot (a copy worker's view of the source).
 * The caller ends it with `COMMIT` + `end()`.
 */
export async function connectInSnapshot(source: DatabaseConnection, snapshotId: string, applicationName = 'pg-schema-restore worker'): Promise<Client> {
  const client = await connect(source, 'source', applicationName);
  try {
    // The snapshot id comes from pg_export_snapshot(): digits, hex and dashes only.
    if (!/^[0-9A-Fa-f-]+$/.test(snapshotId)) throw new InvalidInputError(`invalid snapshot id ${JSON.stringify(snapshotId)}; pass the id pg_export_snapshot() returned`);
    await client.query(`${KEEP_WHILE_IDLE}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshotId}'`);
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}
