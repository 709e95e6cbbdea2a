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
const ROLE_SETTING = (name: string, value: string): string =>
  `set ${name} = ${value} for the restoring role (ALTER ROLE … SET ${name} = ${value}), ${AGAIN}`;
const NETWORK = { reason: 'its network connection broke', fix: `check the network between this machine and the server (firewall, NAT or load-balancer idle timeouts), ${AGAIN}` };

/** What the server (SQLSTATE) or the OS (errno) said, in words, and the fix. */
const REASONS: Record<string, Omit<LossReason, 'specific'>> = {
  '57P01': {
    reason: 'its connection was terminated by an administrator (57P01: pg_terminate_backend or a fast shutdown)',
    fix: `find out who ends sessions (an administrator, a pg_terminate_backend job, a pooler or session killer) and spare application_name "${APP_PREFIX}…", ${AGAIN}`,
  },
  '57P02': { reason: 'the server ended every session after a backend crashed (57P02)', fix: `check the server log for the crash, ${AGAIN}` },
  '57P03': { reason: 'the server is shutting down (57P03)', fix: `wait until the server accepts connections, ${AGAIN}` },
  '25P03': {
    reason: 'idle_in_transaction_session_timeout ended it while it held its transaction open (25P03)',
    fix: ROLE_SETTING('idle_in_transaction_session_timeout', '0'),
  },
  '57P05': { reason: 'idle_session_timeout ended it while it was idle (57P05)', fix: ROLE_SETTING('idle_session_timeout', '0') },
  'ECONNRESET': NETWORK,
  'EPIPE': NETWORK,
  'ETIMEDOUT': NETWORK,
  'EHOSTUNREACH': NETWORK,
  'ENETUNREACH': NETWORK,
};

function classify(err: unknown): LossReason | undefined {
  const { code, message = '' } = (err ?? {}) as { code?: unknown; message?: string };
  if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(REASONS, code)) {
    const known = REASONS[code];
    return { ...known, reason: code.startsWith('E') ? `${known.reason} (${code})` : known.reason, specific: true };
  }
  // 57014 is also a cancel (an abort of the restore): only the statement timeout is named here.
  if (code === '57014' && /statement timeout/i.test(message)) {
    return {
      specific: true,
      reason: 'statement_timeout cancelled its statement (57014)',
      fix: `raise statement_timeout for the restoring role (ALTER ROLE … SET statement_timeout = 0), ${AGAIN}`,
    };
  }
  if (/Connection terminated|not queryable|connection error/i.test(message)) {
    return { specific: false, reason: 'the server closed its connection', fix: `check the server log for why it ended the session, ${AGAIN}` };
  }
  return undefined;
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
