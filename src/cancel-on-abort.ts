import { Client } from 'pg';
import { connect, DatabaseConnection } from './connection';

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
