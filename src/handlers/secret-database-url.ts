import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { explainAwsError } from '../aws/explain-aws-error';
import { secretsManagerSdk } from '../aws/sdk';
import { rdsCaCertificates } from '../credentials/rds-tls';
import { parseRdsSecret } from '../credentials/secret-credentials';
import { InvalidInputError } from '../errors';

/**
 * How the URL connects: TLS verified against the RDS certificate authorities in `caFile` (`verify-full`),
 * or `'off'` — plain, for tests on a local server. Programs take `'off'` only from their `deps`,
 * never from the environment, so no deployment setting can downgrade production connections.
 */
export type DatabaseTls = { readonly caFile: string } | 'off';

/** Options of {@link secretDatabaseUrl}. */
export interface SecretDatabaseUrlOptions {
  readonly secretsManager: SecretsManagerClient;
  /** An RDS credentials secret: username, password and usually host and port. */
  readonly secretArn: string;
  /** The database to connect to. */
  readonly database: string;
  readonly tls: DatabaseTls;
  /** Host and port when the secret has none (port 5432 when neither says). */
  readonly fallback?: { readonly host?: string; readonly port?: string };
}

/**
 * A `postgres://` URL from a secret's login and host. The URL carries the password: hand it to the
 * library or a child's environment, never to a command line or a log.
 *
 * @example
 * const url = await secretDatabaseUrl({ secretsManager, secretArn, database: 'app', tls: { caFile: writeRdsCaFile() } });
 */
export async function secretDatabaseUrl(options: SecretDatabaseUrlOptions): Promise<string> {
  const { secretArn, fallback = {} } = options;
  let secretString: string | undefined;
  try {
    secretString = (await options.secretsManager.send(new secretsManagerSdk.GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (err) {
    throw explainAwsError(err, { action: `read secret "${secretArn}"`, permission: 'secretsmanager:GetSecretValue (and kms:Decrypt on the secret\'s KMS key)' });
  }
  const secret = parseRdsSecret(secretString, `secret "${secretArn}"`);
  const host = secret.host ?? fallback.host;
  if (!host) throw new InvalidInputError(`secret "${secretArn}" has no host and none was configured; add "host" to the secret`, { code: 'SECRET_MALFORMED' });
  const port = secret.port ?? (fallback.port ? Number(fallback.port) : 5432);
  const login = `${encodeURIComponent(secret.username)}:${encodeURIComponent(secret.password)}`;
  const url = `postgres://${login}@${host}:${port}/${encodeURIComponent(options.database)}`;
  return options.tls === 'off' ? url : `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(options.tls.caFile)}`;
}

/**
 * Write the RDS certificate authorities to a file (for pg_dump and pg) and return its path.
 *
 * @example
 * const caFile = writeRdsCaFile(deps.caFile);
 */
export function writeRdsCaFile(path: string = join(tmpdir(), 'rds-ca.pem')): string {
  writeFileSync(path, rdsCaCertificates().join('\n'), { mode: 0o644 });
  return path;
}
