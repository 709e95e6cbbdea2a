import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { auditLedger, auditTableOf, requiredEnv } from './handler-context';
import { resolveHistoricalSecret } from '../credentials/resolve-historical-secret';
import { InvalidInputError } from '../errors';
import type { AuditHandlerDeps } from './handler-deps';
import type { WithClock } from '../run-options';

/** Input of the secret state: the temporary database's endpoint and the moment its data is from. */
export interface ResolveSecretEvent {
  readonly restoreId: string;
  /** ISO 8601; absent for a restore to the latest restorable time. */
  readonly restorePoint?: string;
  readonly address: string;
  readonly port: number;
  readonly database: string;
}

/** The temporary secret with the login and the temporary host, for the copy task and DMS. */
export interface ResolveSecretResult {
  readonly secretArn: string;
  /** The version of the database's secret whose login was accepted. */
  readonly versionId: string;
}

/** Side effects of {@link resolveSecretHandler}. */
export interface ResolveSecretDeps extends AuditHandlerDeps, WithClock {
  readonly secretsManager?: SecretsManagerClient;
  readonly rds?: RDSClient;
  /** @default resolveHistoricalSecret */
  readonly resolve?: typeof resolveHistoricalSecret;
}

/**
 * Find the login that was valid at the restore point (the secret version current then, verified
 * against the temporary database, older versions next) and store it with the temporary host as a
 * temporary secret, recorded in the ledger for cleanup. Passwords never enter the execution state.
 *
 * @example
 * export const handler = resolveSecretHandler({ secretsManager: new SecretsManagerClient({}) });
 */
export function resolveSecretHandler(deps: ResolveSecretDeps = {}): (event: ResolveSecretEvent) => Promise<ResolveSecretResult> {
  return async (event) => {
    const env = deps.env ?? process.env;
    const now = deps.now ?? (() => new Date());
    const ledger = auditLedger(auditTableOf({ dynamodb: deps.dynamodb, env }), event.restoreId, now);
    const resolve = deps.resolve ?? resolveHistoricalSecret;
    const resolved = await resolve({
      secretId: requiredEnv(env, 'SECRET_ARN'),
      at: event.restorePoint ? new Date(event.restorePoint) : now(),
      host: event.address,
      port: event.port,
      database: event.database,
      verify: true,
      ledger,
      ...(env.KMS_KEY_ARN ? { kmsKeyId: env.KMS_KEY_ARN } : {}),
      clients: { secretsManager: deps.secretsManager, rds: deps.rds },
      now,
    });
    if (!resolved.temporarySecretArn) {
      throw new InvalidInputError(`no temporary secret was created for ${event.address}; the SDK returns one whenever a host is given`, { code: 'NO_TEMPORARY_SECRET' });
    }
    return { secretArn: resolved.temporarySecretArn, versionId: resolved.versionId };
  };
}

export const handler = resolveSecretHandler();
