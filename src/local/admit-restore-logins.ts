import { Client, ClientConfig } from 'pg';
import { scramVerifier, writeClusterAccess } from './cluster-access';
import type { LocalCluster } from './local-cluster';
import { connect } from '../connection';
import { AbortedError, InvalidInputError, SchemaRestoreError, ToolError } from '../errors';
import { poll, POLL_NOT_YET, pollDone } from '../poll';
import { quoteIdent, quoteLiteral } from '../quote';
import type { Abortable } from '../run-options';

/** Options of {@link admitRestoreLogins}. */
export interface AdmitRestoreLoginsOptions extends Abortable {
  /** Give up when the server still refuses (starting up, configuration not yet reloaded) after this long. @default 60 s */
  readonly timeoutMs?: number;
}

/** SQLSTATEs of a login the server's (not yet reloaded) pg_hba.conf or password refuses, or that comes while it still starts up. */
const NOT_YET_ADMITTED = ['28000', '28P01', '57P03'];

/**
 * The one-line error for a login the server refuses with 28000 because the role is not one of the
 * backed-up server's (production's roles came with the base backup), or undefined for other errors.
 *
 * @example
 * catch (err) { throw missingRoleError(cluster.user, err) ?? err; }
 */
export function missingRoleError(user: string, err: unknown): InvalidInputError | undefined {
  // connect() wraps the server's error: its SQLSTATE is the cause's (the wrapper's own code is ours).
  const serverError = err instanceof SchemaRestoreError ? err.cause : err;
  if ((serverError as { code?: string } | undefined)?.code !== '28000') return undefined;
  return new InvalidInputError(`role "${user}" does not exist in the recovered cluster; connect as a role of the backed-up server (user, default postgres)`,
    { code: 'ROLE_NOT_FOUND', cause: err });
}

/** Connect, retrying while the server refuses for a reason that passes (`retryOn` codes) until a deadline. */
async function connectWhenAdmitted(conn: ClientConfig, retryOn: readonly string[], deadline: number, signal?: AbortSignal): Promise<Client> {
  let refusal: unknown;
  return poll({
    check: async () => {
      try {
        return pollDone(await connect(conn, 'throwaway'));
      } catch (err) {
        const code = ((err as Error).cause as { code?: string } | undefined)?.code;
        if (!retryOn.includes(code ?? '')) throw err;
        refusal = err;
        return POLL_NOT_YET;
      }
    },
    minDelayMs: 50,
    maxDelayMs: 50,
    timeoutMs: deadline - Date.now(),
    timeoutError: () => refusal as Error, // the server's last refusal says best why
    signal,
  });
}

/**
 * Give the superuser of a server built from a base backup (production's roles, passwords we do not
 * know) the cluster's random password, then let it — and only it — log in over TCP with that
 * password. Until then only the restoring OS user gets in, through the private socket (`peer`).
 * The password travels as a SCRAM verifier, never in clear. Resolves once a TCP login works.
 *
 * @example
 * await waitForPromotion({ cluster });
 * await admitRestoreLogins(cluster);
 * await connect(cluster.url('tenant_a'), 'recovered');
 */
export async function admitRestoreLogins(cluster: LocalCluster, options: AdmitRestoreLoginsOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  // A server just promoted may still refuse a moment (57P03) before it runs normally.
  // A recovery that ended while the server started is promoted already: its first login meets production's roles.
  const admin = await connectWhenAdmitted(cluster.socketConnection('template1'), ['57P03'], deadline, options.signal)
    .catch((err: unknown) => { throw missingRoleError(cluster.user, err) ?? err; });
  try {
    // VALID UNTIL: production may have let the role's password expire; ours must not.
    await admin.query(`ALTER ROLE ${quoteIdent(cluster.user)} LOGIN PASSWORD ${quoteLiteral(scramVerifier(cluster.password))} VALID UNTIL 'infinity'`);
    writeClusterAccess(cluster.dataDir, { superuser: cluster.user, tcp: 'superuser', owner: cluster.osUser });
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end().catch(() => undefined);
  }
  try {
    const client = await connectWhenAdmitted(cluster.connection('template1'), NOT_YET_ADMITTED, deadline, options.signal);
    await client.end().catch(() => undefined);
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    throw new ToolError(`the throwaway server does not admit its own password after reloading its configuration: ${(err as Error).message}`, { cause: err });
  }
}
