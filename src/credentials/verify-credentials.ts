import { ClientConfig } from 'pg';
import { connect } from '../connection';
import { ConnectionError } from '../errors';

/** Whether a server accepted a login: `accepted`, or `rejected` for a wrong user or password. */
export type CredentialsCheck = 'accepted' | 'rejected';

/** SQLSTATEs of a refused login: invalid_password and invalid_authorization_specification. */
const LOGIN_REFUSED = new Set(['28P01', '28000']);

/** Whether an error of {@link connect} is the server refusing the login (as opposed to an unreachable or broken server). */
export function isLoginRefused(err: unknown): boolean {
  const code = (err instanceof ConnectionError ? (err.cause as { code?: unknown } | undefined)?.code : (err as { code?: unknown }).code);
  return typeof code === 'string' && LOGIN_REFUSED.has(code);
}

/**
 * Try a login once and close the session at once. A refused login is `rejected`; any other failure
 * (host unreachable, TLS refused, server starting) throws a {@link ConnectionError} without the password.
 *
 * @example
 * await checkCredentials(rdsConnectionConfig({ host, credentials })); // 'accepted' | 'rejected'
 */
export async function checkCredentials(connection: ClientConfig): Promise<CredentialsCheck> {
  try {
    const client = await connect(connection, 'temporary', 'pg-schema-restore credentials');
    await client.end().catch(() => undefined);
    return 'accepted';
  } catch (err) {
    if (isLoginRefused(err)) return 'rejected';
    throw err;
  }
}
