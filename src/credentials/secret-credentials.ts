import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { explainAwsError } from '../aws/explain-aws-error';
import { secretsManagerSdk } from '../aws/sdk';
import { InvalidInputError } from '../errors';

/** A database login. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** An RDS credentials secret (`{ engine, host, port, username, password, dbname }`); only the login is required. */
export interface RdsSecret extends DatabaseCredentials {
  readonly engine?: string;
  readonly host?: string;
  readonly port?: number;
  readonly dbname?: string;
}

const FORMAT_FIX = 'store it as JSON in the RDS format { "username": …, "password": … }';

/**
 * Read an RDS credentials secret from its `SecretString`. A malformed one fails with a message that
 * names the version but never quotes the text (it may be the password itself), and keeps no cause.
 *
 * @example
 * parseRdsSecret('{"username":"admin","password":"…"}', 'secret "prod/db" version 1a2b'); // { username: 'admin', password: '…' }
 */
export function parseRdsSecret(secretString: string | undefined, where: string): RdsSecret {
  const malformed = (problem: string): InvalidInputError => new InvalidInputError(`${where} ${problem}; ${FORMAT_FIX}`, { code: 'SECRET_MALFORMED' });
  if (secretString === undefined) throw malformed('has no SecretString (binary secrets are not supported)');
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    // The parser's message quotes the text, so it is left out on purpose.
    throw malformed('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('is not a JSON object');
  const fields = value as Record<string, unknown>;
  for (const field of ['username', 'password']) {
    if (typeof fields[field] !== 'string' || fields[field] === '') throw malformed(`has no string "${field}"`);
  }
  const port = typeof fields.port === 'string' ? Number(fields.port) : fields.port;
  return {
    username: fields.username as string,
    password: fields.password as string,
    ...(typeof fields.engine === 'string' ? { engine: fields.engine } : {}),
    ...(typeof fields.host === 'string' ? { host: fields.host } : {}),
    ...(typeof port === 'number' && Number.isInteger(port) ? { port } : {}),
    ...(typeof fields.dbname === 'string' ? { dbname: fields.dbname } : {}),
  };
}

/** Options of {@link readSecretVersion}. */
export interface ReadSecretVersionOptions {
  readonly secretId: string;
  readonly versionId: string;
  readonly client: SecretsManagerClient;
  readonly signal?: AbortSignal;
}

/**
 * Fetch one version of an RDS credentials secret (`GetSecretValue` by `VersionId`).
 *
 * @example
 * const { username, password } = await readSecretVersion({ secretId: 'prod/db', versionId, client });
 */
export async function readSecretVersion(options: ReadSecretVersionOptions): Promise<RdsSecret> {
  const { secretId, versionId, client, signal } = options;
  let secretString: string | undefined;
  try {
    const out = await client.send(new secretsManagerSdk.GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }), { abortSignal: signal });
    secretString = out.SecretString;
  } catch (err) {
    throw explainAwsError(err, {
      action: `read version ${versionId} of secret "${secretId}"`,
      permission: 'secretsmanager:GetSecretValue (and kms:Decrypt on the secret\'s KMS key)',
      // Listed a moment ago: the version (or the whole secret) was removed since.
      notFound: () => new InvalidInputError(`version ${versionId} of secret "${secretId}" no longer exists; retry the restore, which lists the versions again`,
        { code: 'SECRET_NOT_FOUND' }),
    });
  }
  return parseRdsSecret(secretString, `secret "${secretId}" version ${versionId}`);
}
