import { ClientConfig } from 'pg';
import { checkCredentials } from './verify-credentials';
import { CredentialsError } from '../errors';
import { formatDuration } from '../format-units';
import { poll, POLL_NOT_YET, pollDone } from '../poll';

/** Options of {@link waitForCredentials}. */
export interface WaitForCredentialsOptions {
  /** The endpoint and the login that should start to work. */
  readonly connection: ClientConfig;
  /** What is being waited for, for the timeout message: `the new master password of DB instance "x"`. */
  readonly what: string;
  /** Give up after this long. @default 10 minutes: RDS applies a new master password within a minute or two */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** Failures a server gives while an RDS modification is being applied; anything else ends the wait. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', '57P03', '53300']);

function transient(err: unknown): boolean {
  const code = ((err as { cause?: { code?: unknown } }).cause?.code);
  return typeof code === 'string' && TRANSIENT.has(code);
}

/**
 * Poll a login with backoff until the server accepts it, e.g. after a master password change,
 * which RDS applies asynchronously. Throws a {@link CredentialsError} at the deadline and an
 * {@link AbortedError} on abort.
 *
 * @example
 * await waitForCredentials({ connection: rdsConnectionConfig({ host, credentials }), what: 'the new master password' });
 */
export async function waitForCredentials(options: WaitForCredentialsOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const now = options.now;
  await poll({
    check: async () => {
      try {
        if (await checkCredentials(options.connection) === 'accepted') return pollDone(undefined);
      } catch (err) {
        if (!transient(err)) throw err;
      }
      return POLL_NOT_YET;
    },
    minDelayMs: 1000,
    maxDelayMs: 15_000,
    backoff: 1.5,
    timeoutMs,
    timeoutError: () => new CredentialsError(`${options.what} was not accepted within ${formatDuration(timeoutMs)}; ` +
      'check the database\'s status in the RDS console and retry', { code: 'CREDENTIALS_TIMEOUT' }),
    signal: options.signal,
    sleep: options.sleep,
    now: now && (() => now().getTime()),
  });
}
