import { ConnectionOptions } from 'node:tls';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { chooseSecretVersions } from './choose-secret-version';
import { rdsConnectionConfig } from './rds-tls';
import { resetMasterPassword } from './reset-master-password';
import { DatabaseCredentials, readSecretVersion } from './secret-credentials';
import { listSecretVersions } from './secret-versions';
import { RdsDatabaseIdentifier } from './temporary-rds-database';
import { createTemporarySecret } from './temporary-secret';
import { checkCredentials } from './verify-credentials';
import { rdsClientOf, secretsManagerClientOf } from '../aws/clients';
import { Ledger } from '../aws/ledger';
import { AbortedError, CredentialsError, InvalidInputError } from '../errors';

/** Options of {@link resolveHistoricalSecret}. */
export interface ResolveHistoricalSecretOptions {
  /** Name or ARN of the database's credentials secret (RDS format). */
  readonly secretId: string;
  /** The restore time: the login must be the one valid then. */
  readonly at: Date;
  /** Endpoint of the temporary database (restored at `at`): verification target and the temporary secret's host. */
  readonly host?: string;
  /** @default 5432 */
  readonly port?: number;
  /** @default - the secret's `dbname`, else 'postgres' */
  readonly database?: string;
  /** Log into `host` with each candidate, newest first, until one is accepted. Needs `host`. @default false */
  readonly verify?: boolean;
  /** When no version is accepted, set a new master password on the temporary database (refused on untagged ones). Needs `verify`. @default false */
  readonly resetMasterPassword?: boolean | RdsDatabaseIdentifier;
  /** @default - clients for the default region and credential chain */
  readonly clients?: { readonly secretsManager?: SecretsManagerClient; readonly rds?: RDSClient };
  /** Records the temporary secret for cleanup. */
  readonly ledger?: Ledger;
  /** Restore id for the temporary secret's and the reset database's tags. @default - the ledger's */
  readonly restoreId?: string;
  /** KMS key for the temporary secret. @default - aws/secretsmanager */
  readonly kmsKeyId?: string;
  /** TLS for verification. @default - verify-full against the RDS certificate authorities */
  readonly tls?: false | ConnectionOptions;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Waits between logins after a password reset. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What {@link resolveHistoricalSecret} found. */
export interface HistoricalSecret {
  /** The secret version whose login is returned, or `reset` when the master password was reset. */
  readonly versionId: string;
  readonly credentials: DatabaseCredentials;
  /** ARN of the secret created for `host` (deleted by cleanup through the ledger). */
  readonly temporarySecretArn?: string;
}

function checkInput(options: ResolveHistoricalSecretOptions): void {
  if (Number.isNaN(options.at.getTime())) throw new InvalidInputError('the restore time is not a valid date; pass an ISO 8601 time with a time zone', { code: 'INVALID_TIME' });
  if (options.verify && !options.host) throw new InvalidInputError('verify needs the host of the restored database; pass host', { code: 'HOST_REQUIRED' });
  if (options.resetMasterPassword && !options.verify) {
    throw new InvalidInputError('resetMasterPassword applies only when verification fails; pass verify: true with it', { code: 'VERIFY_REQUIRED' });
  }
}

/**
 * The login that was valid at `at` for a database whose credentials live in Secrets Manager: the
 * secret version current then (see {@link chooseSecretVersions}), optionally verified against the
 * database restored at `at` with fallback to older versions, then to a master password reset of that
 * temporary database. With `host`, the login is also stored as a temporary secret.
 *
 * @example
 * const { credentials, temporarySecretArn } = await resolveHistoricalSecret({
 *   secretId: 'prod/tenant-db', at: new Date('2024-01-28T14:30:00Z'),
 *   host: 'pgsr-r-123.abc.eu-west-1.rds.amazonaws.com', verify: true, resetMasterPassword: true, ledger,
 * });
 */
export async function resolveHistoricalSecret(options: ResolveHistoricalSecretOptions): Promise<HistoricalSecret> {
  checkInput(options);
  const { secretId, at, host, signal } = options;
  const secretsManager = secretsManagerClientOf(options.clients);
  const versions = await listSecretVersions({ secretId, client: secretsManager, signal });
  const candidates = chooseSecretVersions({ secretId, versions, at });
  const port = options.port ?? 5432;
  let found: { versionId: string; credentials: DatabaseCredentials } | undefined;
  let dbname = options.database;
  for (const candidate of options.verify ? candidates : candidates.slice(0, 1)) {
    if (signal?.aborted) throw new AbortedError();
    const secret = await readSecretVersion({ secretId, versionId: candidate.versionId, client: secretsManager, signal });
    const credentials = { username: secret.username, password: secret.password };
    dbname = options.database ?? secret.dbname;
    if (options.verify && host) {
      const connection = rdsConnectionConfig({ host, port, database: dbname, credentials, tls: options.tls });
      if (await checkCredentials(connection) === 'rejected') continue;
    }
    found = { versionId: candidate.versionId, credentials };
    break;
  }
  if (!found && host && options.resetMasterPassword) {
    const credentials = await resetMasterPassword({
      database: typeof options.resetMasterPassword === 'object' ? options.resetMasterPassword : undefined,
      host,
      port,
      databaseName: dbname,
      tls: options.tls,
      rds: rdsClientOf(options.clients),
      restoreId: options.restoreId ?? options.ledger?.restoreId,
      signal,
      sleep: options.sleep,
      now: options.now,
    });
    found = { versionId: 'reset', credentials };
  }
  if (!found) {
    const tried = candidates.length === 1 ? 'the only version' : `all ${candidates.length} versions`;
    throw new CredentialsError(`${host} refused the login of ${tried} of secret "${secretId}" created on or before ${at.toISOString()} ` +
      '(its password then was set outside Secrets Manager); pass resetMasterPassword to set a new one on the temporary database', { code: 'CREDENTIALS_REJECTED' });
  }
  if (!host) return { versionId: found.versionId, credentials: found.credentials };
  const temporarySecretArn = await createTemporarySecret({
    host,
    port,
    database: dbname ?? 'postgres',
    credentials: found.credentials,
    client: secretsManager,
    ledger: options.ledger,
    restoreId: options.restoreId,
    kmsKeyId: options.kmsKeyId,
    signal,
    now: options.now,
  });
  return { ...found, temporarySecretArn };
}
