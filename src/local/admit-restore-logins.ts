import { writeClusterAccess } from './cluster-access';
import type { LocalCluster } from './local-cluster';
import { scramVerifier } from './cluster-access';
import { connect } from '../connection';
import { AbortedError, ToolError } from '../errors';
import { quoteIdent, quoteLiteral } from '../quote';

/** Options of {@link admitRestoreLogins}. */
export interface AdmitRestoreLoginsOptions {
  /** Give up when the reloaded configuration does not admit the password within this long. @default 10 s */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** SQLSTATEs of a login the server's (not yet reloaded) pg_hba.conf or password refuses. */
const NOT_YET_ADMITTED = ['28000', '28P01'];

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
  const admin = await connect(cluster.socketConnection('template1'), 'throwaway');
  try {
    // VALID UNTIL: production may have let the role's password expire; ours must not.
    await admin.query(`ALTER ROLE ${quoteIdent(cluster.user)} LOGIN PASSWORD ${quoteLiteral(scramVerifier(cluster.password))} VALID UNTIL 'infinity'`);
    writeClusterAccess(cluster.dataDir, { superuser: cluster.user, tcp: 'superuser', owner: cluster.osUser });
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end().catch(() => undefined);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError();
    try {
      const client = await connect(cluster.connection('template1'), 'throwaway');
      await client.end().catch(() => undefined);
      return;
    } catch (err) {
      const code = ((err as Error).cause as { code?: string } | undefined)?.code;
      if (!NOT_YET_ADMITTED.includes(code ?? '') || Date.now() > deadline) {
        throw new ToolError(`the throwaway server does not admit its own password after reloading its configuration: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
