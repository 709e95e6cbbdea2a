import { EventEmitter } from 'node:events';
import { ClientBase } from 'pg';
import { ConnectionLostError } from './errors';

/** Which session a client is, as the user and the DBA see it. */
interface SessionState {
  /** `source` or `target`. */
  readonly side: string;
  /** The session's `application_name`, what `pg_stat_activity` shows. */
  readonly applicationName: string;
  /** The first error the client reported on its own (the server ended the session, the socket broke). */
  fatal?: unknown;
}

const sessions = new WeakMap<ClientBase, SessionState>();
/** Which client an error came out of, so it can be named wherever it is caught. */
const origins = new WeakMap<object, ClientBase>();

const APP_PREFIX = 'pg-schema-restore';

function remember(err: unknown, client: ClientBase): void {
  if (typeof err === 'object' && err !== null && !origins.has(err)) origins.set(err, client);
}

/**
 * Label a connected client as one session of the restore, so that a failure of its connection can
 * be named (see {@link connectionLost}): every error of its queries and COPY streams is traced back
 * to it, and what the server said when it ended the session is kept. `connect` does this for every client.
 *
 * @example
 * labelSession(client, { side: 'source', applicationName: 'pg-schema-restore snapshot' });
 */
export function labelSession(client: ClientBase, label: { side: string; applicationName: string }): void {
  const state: SessionState = { ...label };
  sessions.set(client, state);
  // A dropped connection must surface through the query that uses it, not crash the process.
  client.on('error', (err) => {
    state.fatal ??= err;
  });
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        remember(err, client);
        throw err;
      });
    }
    if (result instanceof EventEmitter) result.on('error', (err: unknown) => remember(err, client));
    return result;
  };
}

/** What ended a session, in words, and what the user can do about it. */
interface LossReason {
  readonly reason: string;
  readonly fix: string;
  /** Said by the server with a SQLSTATE (or by the OS with an errno), rather than inferred from a closed socket. */
  readonly specific: boolean;
}

const AGAIN = 'then run the restore again';

function classify(err: unknown): LossReason | undefined {
  const { code, message = '' } = (err ?? {}) as { code?: unknown; message?: string };
  switch (code) {
    case '57P01': return { specific: true, reason: 'its connection was terminated by an administrator (57P01: pg_terminate_backend or a fast shutdown)',
      fix: `find out who ends sessions (an administrator, a pg_terminate_backend job, a pooler or session killer) and spare application_name "${APP_PREFIX}…", ${AGAIN}` };
    case '57P02': return { specific: true, reason: 'the server ended every session after a backend crashed (57P02)', fix: `check the server log for the crash, ${AGAIN}` };
    case '57P03': return { specific: true, reason: 'the server is shutting down (57P03)', fix: `wait until the server accepts connections, ${AGAIN}` };
    case '25P03': return { specific: true, reason: 'idle_in_transaction_session_timeout ended it while it held its transaction open (25P03)',
      fix: `set idle_in_transaction_session_timeout = 0 for the restoring role (ALTER ROLE … SET idle_in_transaction_session_timeout = 0), ${AGAIN}` };
    case '57P05': return { specific: true, reason: 'idle_session_timeout ended it while it was idle (57P05)',
      fix: `set idle_session_timeout = 0 for the restoring role (ALTER ROLE … SET idle_session_timeout = 0), ${AGAIN}` };
    case '57014': return /statement timeout/i.test(message) ? { specific: true, reason: 'statement_timeout cancelled its statement (57014)',
      fix: `raise statement_timeout for the restoring role (ALTER ROLE … SET statement_timeout = 0), ${AGAIN}` } : undefined;
    case 'ECONNRESET': case 'EPIPE': case 'ETIMEDOUT': case 'EHOSTUNREACH': case 'ENETUNREACH':
      return { specific: true, reason: `its network connection broke (${code})`,
        fix: `check the network between this machine and the server (firewall, NAT or load-balancer idle timeouts), ${AGAIN}` };
    default:
      if (/Connection terminated|not queryable|connection error/i.test(message)) {
        return { specific: false, reason: 'the server closed its connection', fix: `check the server log for why it ended the session, ${AGAIN}` };
      }
      return undefined;
  }
}

/** `pg-schema-restore copy worker 2` → `copy worker 2`; `pg-schema-restore snapshot` → `snapshot session`. */
export function sessionName(applicationName: string): string {
  const rest = applicationName.startsWith(APP_PREFIX) ? applicationName.slice(APP_PREFIX.length).trim() : applicationName;
  if (rest === '') return 'session';
  if (rest === 'ddl') return 'DDL session';
  if (rest === 'validate') return 'validation session';
  return /^copy worker/.test(rest) ? rest : `${rest} session`;
}

/**
 * When `err` (or an error it wraps as `cause`) came from a labelled session whose connection broke
 * or whose statement hit a server timeout, the one-line {@link ConnectionLostError} that names the
 * side, the session, the server's reason and the fix; otherwise undefined (an ordinary SQL error).
 *
 * @example
 * try { await applyDdl(target, statements); } catch (err) { throw connectionLost(err) ?? err; }
 */
export function connectionLost(err: unknown): ConnectionLostError | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConnectionLostError) return e;
    const client = origins.get(e);
    const state = client && sessions.get(client);
    if (!state) continue;
    const direct = classify(e);
    const recorded = state.fatal === undefined ? undefined : classify(state.fatal);
    const loss = direct?.specific ? direct : recorded?.specific ? recorded : direct ?? recorded;
    if (!loss) return undefined;
    const who = `the ${state.side} ${sessionName(state.applicationName)} (application_name "${state.applicationName}")`;
    return new ConnectionLostError(state.side, sessionName(state.applicationName), loss.reason, `${who} failed: ${loss.reason}; ${loss.fix}`, { cause: err });
  }
  return undefined;
}
