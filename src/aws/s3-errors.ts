import { InvalidInputError, SchemaRestoreError } from '../errors';

/** The same error as the dump source's `archiveNotFound`: what is missing, then what to do. */
function archiveNotFound(problem: string, fix: string, cause: unknown): InvalidInputError {
  return new InvalidInputError(`${problem}; ${fix}`, { code: 'ARCHIVE_NOT_FOUND', cause });
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { httpStatusCode?: number; requestId?: string };
}

const CREDENTIAL_PROBLEMS: Record<string, string> = {
  CredentialsProviderError: 'no AWS credentials were found; set AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or run where an IAM role is available',
  InvalidAccessKeyId: 'S3 does not know the AWS access key in use; check AWS_ACCESS_KEY_ID or the profile\'s credentials',
  SignatureDoesNotMatch: 'S3 rejected the request signature (the secret access key does not match the access key); check the credentials',
  ExpiredToken: 'the AWS session token has expired; refresh the credentials (aws sso login, a new role session)',
  TokenRefreshRequired: 'the AWS session token has expired; refresh the credentials (aws sso login, a new role session)',
  InvalidToken: 'the AWS session token is not valid; refresh the credentials',
  AccessDenied: 'access denied; allow s3:GetObject (and s3:ListBucket for a prefix) to the credentials in use',
};

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up/;

/** A copy of an SDK error that keeps its name, status and request id but none of its fields (which may echo key ids or signatures). */
function safeCause(err: SdkError): Error {
  const status = err.$metadata?.httpStatusCode;
  const copy = new Error(`${err.name ?? 'Error'}${status ? ` (HTTP ${status}${err.$metadata?.requestId ? `, request ${err.$metadata.requestId}` : ''})` : ''}`);
  copy.name = err.name ?? 'Error';
  return copy;
}

/**
 * Turn an AWS SDK error about an S3 location into a one-line error that names the problem and the
 * fix, never key material: missing object or bucket → `ARCHIVE_NOT_FOUND`; missing, wrong, expired
 * or insufficient credentials → `S3_ACCESS_DENIED`; an unreachable endpoint → `S3_UNREACHABLE`.
 * Abort errors pass through unchanged.
 *
 * @example
 * try { await s3.send(cmd); } catch (err) { throw explainS3Error(err, { bucket, key }); }
 */
export function explainS3Error(err: unknown, location: { bucket: string; key: string }): unknown {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  if (name === 'AbortError' || err instanceof SchemaRestoreError) return err;
  const uri = `s3://${location.bucket}/${location.key}`;
  const cause = safeCause(e);
  const status = e.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return archiveNotFound(`bucket "${location.bucket}" does not exist (${uri})`, 'check the bucket name, the region and the endpoint', cause);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return archiveNotFound(`${uri} does not exist`, 'check the key, or end the source with / to use the newest object under a prefix', cause);
  }
  const credentialProblem = CREDENTIAL_PROBLEMS[name] ?? (status === 403 ? CREDENTIAL_PROBLEMS.AccessDenied : undefined);
  if (credentialProblem) return new InvalidInputError(`cannot read ${uri}: ${credentialProblem}`, { code: 'S3_ACCESS_DENIED', cause });
  if (/region is missing/i.test(e.message ?? '')) {
    return new InvalidInputError(`cannot read ${uri}: no AWS region is configured; set AWS_REGION (or the profile's region)`, { code: 'S3_ACCESS_DENIED', cause });
  }
  const network = UNREACHABLE.exec(`${e.code ?? ''} ${e.message ?? ''}`)?.[0];
  if (network) {
    return new InvalidInputError(`cannot reach S3 for ${uri} (${network}); check the endpoint (AWS_ENDPOINT_URL_S3 / s3Endpoint) and the network`, { code: 'S3_UNREACHABLE', cause });
  }
  return new SchemaRestoreError('S3_FAILED', `reading ${uri} failed: ${cause.message}; check the bucket, the key and the credentials`, { cause });
}
