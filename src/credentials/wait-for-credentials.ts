import { ClientConfig } from 'pg';
import { checkCredentials } from './verify-credentials';
import { AbortedError, CredentialsError } from '../errors';
import { formatDuration } from '../format-units';
import { abortableSleep } from '../sleep';

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
  const { connection, signal } = options;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, signal));
  const now = (): number => (options.now ?? (() => new Date()))().getTime();
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = now() + timeoutMs;
  for (let delay = 1000; ; delay = Math.min(delay * 1.5, 15_000)) {
    if (signal?.aborted) throw new AbortedError();
    try {
      if (await checkCredentials(connection) === 'accepted') return;
    } catch (err) {
      if (!transient(err)) throw err;
    }
    if (now() + delay > deadline) {
      throw new CredentialsError(`${options.what} was not accepted within ${formatDuration(timeoutMs)}; check the database's status in the RDS console and retry`,
        { code: 'CREDENTIALS_TIMEOUT' });
    }
    await sleep(delay);
  }
}
