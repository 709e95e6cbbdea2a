import type { ConnectionOptions } from 'node:tls';
import { ClientConfig } from 'pg';
import { RDS_ERROR_CODES } from './rds-errors';
import { Ledger } from '../../aws/ledger';
import { rdsConnectionConfig } from '../../credentials/rds-tls';
import { resolveHistoricalSecret } from '../../credentials/resolve-historical-secret';
import { InvalidInputError } from '../../errors';
import { AwsClients, RdsSource } from '../restore-source';

/** Options of {@link rdsLogin}. */
export interface RdsLoginOptions {
  readonly source: RdsSource;
  /** The temporary instance's endpoint. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The secret version current at this moment is the one that logs in to the restored data. */
  readonly restorePoint: Date;
  readonly clients?: AwsClients;
  readonly ledger?: Ledger;
  /** @default verified TLS with the RDS certificate authorities; `false` only for a local test server */
  readonly tls?: false | ConnectionOptions;
  readonly signal?: AbortSignal;
  /** @default resolveHistoricalSecret */
  readonly resolveSecret?: typeof resolveHistoricalSecret;
  /** The temporary database, whose master password `source.resetMasterPassword` may set (never the source's). */
  readonly temporary?: { readonly dbInstanceIdentifier?: string; readonly dbClusterIdentifier?: string };
}

/** How to reach the temporary database, and which secret version logged in (never the password itself). */
export interface RdsLogin {
  readonly connection: ClientConfig;
  readonly secretVersionId?: string;
  /** Temporary secret with the login and the temporary host (for services such as DMS); deleted by the cleanup. */
  readonly secretArn?: string;
}

/**
 * The connection to a temporary RDS database: its endpoint, TLS verified, and a login — the given
 * credentials, or the version of `secretId` that was current at the restore point (the restored
 * database has the passwords of that moment), checked against the endpoint.
 *
 * @example
 * const { connection } = await rdsLogin({ source, host: 'pgsr-r1.abc.eu-west-1.rds.amazonaws.com', port: 5432, database: 'tenant_a', restorePoint });
 */
export async function rdsLogin(options: RdsLoginOptions): Promise<RdsLogin> {
  const { source, host, port, database } = options;
  const config = (credentials: { username: string; password: string }) => rdsConnectionConfig({
    host, port, database, credentials, tls: options.tls,
  });
  if (source.credentials) return { connection: config(source.credentials) };
  if (!source.secretId) {
    throw new InvalidInputError(`no login for the temporary copy of "${source.id}"; pass credentials or secretId`, { code: RDS_ERROR_CODES.noCredentials });
  }
  const resolve = options.resolveSecret ?? resolveHistoricalSecret;
  const resolved = await resolve({
    secretId: source.secretId,
    at: options.restorePoint,
    host,
    port,
    database,
    verify: true,
    ...(source.resetMasterPassword && options.temporary ? { resetMasterPassword: options.temporary } : {}),
    clients: options.clients,
    ledger: options.ledger,
    tls: options.tls,
    signal: options.signal,
  });
  return { connection: config(resolved.credentials), secretVersionId: resolved.versionId, secretArn: resolved.temporarySecretArn };
}
