import { maskSecrets } from '../connection';
import { AbortedError, CredentialsError, SchemaRestoreError } from '../errors';

/** What an AWS call was doing, so that its failure becomes one line naming the problem and the fix. */
export interface AwsCallContext {
  /** What was being done, as a verb phrase: `list the versions of secret "db"`. */
  readonly action: string;
  /** The IAM permission(s) the call needs, named when access is denied: `secretsmanager:GetSecretValue`. */
  readonly permission: string;
  /** The error to throw when the resource does not exist; a generic {@link CredentialsError} otherwise. */
  readonly notFound?: () => SchemaRestoreError;
  /** Values that must appear neither in the message nor in the kept cause (a password sent with the call). */
  readonly secrets?: ReadonlyArray<string | undefined>;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException', 'KMSAccessDeniedException']);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'DBInstanceNotFoundFault', 'DBInstanceNotFound', 'DBClusterNotFoundFault', 'DBClusterNotFound']);

/** A copy of an error whose message and stack carry none of the secrets, safe to keep as `cause`. */
export function scrubbedError(err: unknown, secrets: ReadonlyArray<string | undefined>): Error {
  const e = err as { name?: unknown; message?: unknown; stack?: unknown } | null | undefined;
  const copy = new Error(maskSecrets(typeof e?.message === 'string' ? e.message : String(err), secrets));
  copy.name = typeof e?.name === 'string' ? e.name : 'Error';
  copy.stack = maskSecrets(typeof e?.stack === 'string' ? e.stack : '', secrets);
  return copy;
}

/**
 * Turn an AWS SDK failure into a pg-schema-restore error: access denied names the missing permission,
 * a missing resource becomes the caller's `notFound` error, an aborted call an {@link AbortedError}.
 *
 * @example
 * try { await client.send(command); } catch (err) {
 *   throw explainAwsError(err, { action: `read secret "${secretId}"`, permission: 'secretsmanager:GetSecretValue' });
 * }
 */
export function explainAwsError(err: unknown, context: AwsCallContext): SchemaRestoreError {
  if (err instanceof SchemaRestoreError) return err;
  const name = (err as { name?: string }).name ?? 'Error';
  if (name === 'AbortError') return new AbortedError();
  const secrets = context.secrets ?? [];
  const cause = secrets.length > 0 ? scrubbedError(err, secrets) : err;
  if (NOT_FOUND.has(name) && context.notFound) return context.notFound();
  if (ACCESS_DENIED.has(name)) {
    return new CredentialsError(`access denied when trying to ${context.action}; grant ${context.permission} to the role running pg-schema-restore`,
      { code: 'ACCESS_DENIED', cause });
  }
  const reason = maskSecrets(firstLine((err as Error).message ?? String(err)), secrets);
  return new CredentialsError(`cannot ${context.action}: ${name}: ${reason}; check the AWS region and credentials, then retry`, { code: 'AWS_CALL_FAILED', cause });
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
