import { randomBytes } from 'node:crypto';
import type { SecretsManagerClient, Tag } from '@aws-sdk/client-secrets-manager';
import { DatabaseCredentials } from './secret-credentials';
import { secretsManagerClientOf } from '../aws/clients';
import { explainAwsError } from '../aws/explain-aws-error';
import { Ledger } from '../aws/ledger';
import { secretsManagerSdk } from '../aws/sdk';
import { DEFAULT_TTL_HOURS, EXPIRES_AT_TAG, RESTORE_ID_TAG } from '../aws/tags';
import { CredentialsError } from '../errors';

/** Options of {@link createTemporarySecret}. */
export interface CreateTemporarySecretOptions {
  /** The temporary database the secret logs into. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly credentials: DatabaseCredentials;
  readonly client: SecretsManagerClient;
  /** Written down right after CreateSecret returns, so that cleanup deletes the secret. */
  readonly ledger?: Ledger;
  /** Value of the restore-id tag. @default - the ledger's restore id; no tag without either */
  readonly restoreId?: string;
  /** Customer managed KMS key to encrypt the secret with. @default - the account's `aws/secretsmanager` key */
  readonly kmsKeyId?: string;
  /** Hours after which the secret may be swept if cleanup never ran (its expires-at tag). @default DEFAULT_TTL_HOURS (6) */
  readonly ttlHours?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

/**
 * Store the login of a temporary database as an RDS-format secret (`pg-schema-restore/<random>`), for
 * services that take a secret rather than a password (DMS endpoints, Lambda handlers). Tagged with the
 * restore id and an expiry; recorded in the ledger so that cleanup force-deletes it.
 *
 * @example
 * const arn = await createTemporarySecret({ host, port: 5432, database: 'tenant_a', credentials, client, ledger });
 */
export async function createTemporarySecret(options: CreateTemporarySecretOptions): Promise<string> {
  const { host, port, database, credentials, client, ledger, signal } = options;
  const restoreId = options.restoreId ?? ledger?.restoreId;
  const expiresAt = new Date((options.now ?? (() => new Date()))().getTime() + (options.ttlHours ?? DEFAULT_TTL_HOURS) * 3_600_000);
  const name = `pg-schema-restore/${randomBytes(8).toString('hex')}`;
  const tags: Tag[] = [
    ...(restoreId ? [{ Key: RESTORE_ID_TAG, Value: restoreId }] : []),
    { Key: EXPIRES_AT_TAG, Value: expiresAt.toISOString() },
  ];
  const secretString = JSON.stringify({ engine: 'postgres', host, port, username: credentials.username, password: credentials.password, dbname: database });
  let arn: string | undefined;
  try {
    const out = await client.send(new secretsManagerSdk.CreateSecretCommand({
      Name: name,
      Description: `Login of a temporary database of pg-schema-restore${restoreId ? ` restore ${restoreId}` : ''}; deleted when the restore ends`,
      SecretString: secretString,
      ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
      Tags: tags,
    }), { abortSignal: signal });
    arn = out.ARN;
  } catch (err) {
    throw explainAwsError(err, {
      action: `create the temporary secret "${name}"`,
      permission: `secretsmanager:CreateSecret and secretsmanager:TagResource${options.kmsKeyId ? ' (and kms:GenerateDataKey on the KMS key)' : ''}`,
      secrets: [credentials.password, secretString],
    });
  }
  if (!arn) throw new CredentialsError(`CreateSecret returned no ARN for "${name}"; delete that secret by name and retry`, { code: 'AWS_CALL_FAILED' });
  try {
    await ledger?.record({ kind: 'secret', id: arn });
  } catch (err) {
    // Unrecorded, cleanup would never find it: remove it now.
    await deleteTemporarySecret({ arn, clients: { secretsManager: client } }).catch(() => undefined);
    throw err;
  }
  return arn;
}

/** Options of {@link deleteTemporarySecret}. */
export interface DeleteTemporarySecretOptions {
  readonly arn: string;
  readonly clients?: { readonly secretsManager?: SecretsManagerClient };
  /** Struck from this ledger once the secret is gone. */
  readonly ledger?: Ledger;
  readonly signal?: AbortSignal;
}

/**
 * Delete a temporary secret at once (`ForceDeleteWithoutRecovery`). Idempotent: a secret that no
 * longer exists counts as deleted.
 *
 * @example
 * await deleteTemporarySecret({ arn, clients: { secretsManager } });
 */
export async function deleteTemporarySecret(options: DeleteTemporarySecretOptions): Promise<void> {
  const { arn, ledger, signal } = options;
  const client = secretsManagerClientOf(options.clients);
  try {
    await client.send(new secretsManagerSdk.DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }), { abortSignal: signal });
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') {
      throw explainAwsError(err, { action: `delete the temporary secret ${arn}`, permission: 'secretsmanager:DeleteSecret' });
    }
  }
  await ledger?.remove('secret', arn);
}
