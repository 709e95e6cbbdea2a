import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { explainAwsError } from '../aws/explain-aws-error';
import { secretsManagerSdk } from '../aws/sdk';
import { AbortedError, InvalidInputError } from '../errors';

/** One version of a secret: when it was created and the staging labels it carries now (none when deprecated). */
export interface SecretVersion {
  readonly versionId: string;
  readonly createdDate: Date;
  /** `AWSCURRENT`, `AWSPREVIOUS`, `AWSPENDING` or custom labels; empty for a deprecated version. */
  readonly stages: readonly string[];
}

/** Options of {@link listSecretVersions}. */
export interface ListSecretVersionsOptions {
  /** Name or ARN of the secret. */
  readonly secretId: string;
  readonly client: SecretsManagerClient;
  readonly signal?: AbortSignal;
}

/** The error for a secret that does not exist (or that this account and region cannot see). */
export function secretNotFoundError(secretId: string): InvalidInputError {
  return new InvalidInputError(`secret "${secretId}" does not exist in this account and region; check the secret name or ARN and the AWS region`,
    { code: 'SECRET_NOT_FOUND' });
}

/**
 * Every version Secrets Manager still keeps of a secret, deprecated ones included
 * (`IncludeDeprecated`: a version without labels was current once and may be the one valid at the
 * restore time), read through all pages.
 *
 * @example
 * const versions = await listSecretVersions({ secretId: 'prod/db', client: new SecretsManagerClient({}) });
 */
export async function listSecretVersions(options: ListSecretVersionsOptions): Promise<SecretVersion[]> {
  const { secretId, client, signal } = options;
  const versions: SecretVersion[] = [];
  try {
    const request = { SecretId: secretId, IncludeDeprecated: true };
    const pages = secretsManagerSdk.paginateListSecretVersionIds({ client }, request, { abortSignal: signal });
    for await (const page of pages) {
      if (signal?.aborted) throw new AbortedError();
      for (const entry of page.Versions ?? []) {
        // A version without an id or a creation time cannot be read or placed in time.
        if (!entry.VersionId || !entry.CreatedDate) continue;
        versions.push({ versionId: entry.VersionId, createdDate: entry.CreatedDate, stages: entry.VersionStages ?? [] });
      }
    }
  } catch (err) {
    throw explainAwsError(err, {
      action: `list the versions of secret "${secretId}"`,
      permission: 'secretsmanager:ListSecretVersionIds',
      notFound: () => secretNotFoundError(secretId),
    });
  }
  return versions;
}
