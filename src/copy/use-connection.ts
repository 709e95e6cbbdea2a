import { ClientBase } from 'pg';
import { connect, DatabaseConnection } from '../connection';
import { connectInSnapshot } from '../connection/source-snapshot';

/** An open `pg` client that the caller owns, or a database to connect to for the duration of one call. */
export type ClientOrConnection = ClientBase | DatabaseConnection;

/** How {@link useConnection} opens a connection when it is given a database rather than a client. */
export interface UseConnectionOptions {
  /** Which side this is, for error messages ("source", "target"). */
  readonly role: string;
  /** Join this exported snapshot (source side) instead of opening a plain session. */
  readonly snapshotId?: string;
}

function isClient(conn: ClientOrConnection): conn is ClientBase {
  return typeof (conn as ClientBase).query === 'function';
}

/**
 * Run `fn` with a client: the given one (left open, it belongs to the caller), or a new connection
 * with the exact session settings — inside the snapshot when one is named — always closed afterwards.
 *
 * @example
 * const n = await useConnection(target, { role: 'target' }, async (c) => (await c.query('SELECT 1')).rowCount);
 */
export async function useConnection<T>(conn: ClientOrConnection, options: UseConnectionOptions, fn: (client: ClientBase) => Promise<T>): Promise<T> {
  if (isClient(conn)) return fn(conn);
  const client = options.snapshotId
    ? await connectInSnapshot(conn, options.snapshotId, `pg-schema-restore ${options.role}`)
    : await connect(conn, options.role);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
