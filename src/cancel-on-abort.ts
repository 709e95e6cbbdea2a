import { Client } from 'pg';
import { connect, DatabaseConnection } from './connection';
import { AbortedError } from './errors';

/** A session whose running statement an abort cancels, and where to reach its server. */
export interface CancellableSession {
  readonly client: Client;
  readonly connection: DatabaseConnection;
}

/**
 * Make an abort cancel the statements these sessions are running (`pg_cancel_backend`, from a
 * separate connection), so Ctrl-C does not wait for an index build, a validation scan or a lock:
 * the statement fails at once with `canceling statement due to user request`, the session stays
 * usable for the cleanup. Returns a function that stops listening.
 *
 * @example
 * const stop = cancelOnAbort(signal, [{ client: target, connection: targetUrl }]);
 * try { await target.query('CREATE INDEX …'); } finally { stop(); }
 */
export function cancelOnAbort(signal: AbortSignal | undefined, sessions: readonly CancellableSession[]): () => void {
  if (!signal) return () => undefined;
  const onAbort = (): void => {
    for (const { client, connection } of sessions) {
      const pid = (client as Client & { processID?: number }).processID;
      if (!pid) continue;
      void connect(connection, 'cancel', 'pg-schema-restore cancel')
        .then((c) => c.query('SELECT pg_cancel_backend($1)', [pid]).finally(() => c.end()))
        .catch(() => undefined);
    }
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Options of {@link withCancellableSession}. */
export interface CancellableSessionOptions {
  /** What the session is, for errors: `target`. */
  readonly role: string;
  /** Its `application_name`, e.g. `pg-schema-restore diff`. */
  readonly applicationName: string;
  readonly signal?: AbortSignal;
  /** Once aborted, any failure of the work becomes an AbortedError with this message. @default the work's own error */
  readonly abortedMessage?: string;
}

/**
 * Connect one session, run `work` on it with an abort cancelling its running statement (see
 * {@link cancelOnAbort}), and close it however the work ends. With `abortedMessage`, a failure after
 * an abort (the cancelled statement's) is reported as an AbortedError saying what was left.
 *
 * @example
 * const session = { role: 'target', applicationName: 'pg-schema-restore diff', signal, abortedMessage: 'diff aborted; nothing was changed' };
 * const diff = await withCancellableSession(url, session, (client) => compare(client));
 */
export async function withCancellableSession<T>(connection: DatabaseConnection, options: CancellableSessionOptions,
  work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(connection, options.role, options.applicationName);
  const stopCancelling = cancelOnAbort(options.signal, [{ client, connection }]);
  try {
    return await work(client);
  } catch (err) {
    if (options.abortedMessage !== undefined && options.signal?.aborted) throw new AbortedError(options.abortedMessage);
    throw err;
  } finally {
    stopCancelling();
    await client.end().catch(() => undefined);
  }
}
