import { maskSecrets } from '../connection';
import { AbortedError, AwsResourceError, CredentialsError, SchemaRestoreError } from '../errors';

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

/** The services whose failures {@link explainAwsResourceError} knows the fixes of. */
export type AwsService = 'rds' | 'dms';

/** Per service: what to do about the errors a restore can meet when it creates and runs resources, and otherwise. */
const FIXES: Record<AwsService, { readonly byName: Record<string, string>; readonly otherwise: string }> = {
  rds: {
    byName: {
      InsufficientDBInstanceCapacityFault: 'choose another instanceClass or retry later',
      InsufficientDBClusterCapacityFault: 'choose another instanceClass or retry later',
      InvalidRestoreFault: 'choose a restore time or snapshot inside the backup retention window',
      StorageQuotaExceededFault: 'raise the RDS storage quota or remove unused instances',
      InstanceQuotaExceededFault: 'raise the DB instance quota or remove unused instances',
      DBClusterQuotaExceededFault: 'raise the DB cluster quota or remove unused clusters',
      DBInstanceAlreadyExistsFault: 'another restore with the same id is running; use another restoreId',
      DBClusterAlreadyExistsFault: 'another restore with the same id is running; use another restoreId',
      InvalidSubnet: 'pass a subnetGroup in the source VPC',
      InvalidVPCNetworkStateFault: 'pass a subnetGroup and securityGroupIds of the source VPC',
      AccessDeniedException: 'grant the caller the rds:Restore*, rds:CreateDBInstance, rds:AddTagsToResource and rds:Describe* permissions',
      AccessDenied: 'grant the caller the rds:Restore*, rds:CreateDBInstance, rds:AddTagsToResource and rds:Describe* permissions',
    },
    otherwise: 'check the AWS message, the IAM permissions and the RDS quotas, then retry',
  },
  dms: {
    byName: {
      AccessDeniedFault: 'grant the caller dms:Create*, dms:Describe*, dms:Start*, dms:Stop*, dms:Delete*, dms:TestConnection and dms:AddTagsToResource, ' +
        'and create the dms-vpc-role IAM role DMS needs in the account',
      AccessDeniedException: 'grant the caller the dms:* permissions the DMS engine uses (Create*, Describe*, Start*, Stop*, Delete*, TestConnection)',
      InsufficientResourceCapacityFault: 'choose another dms.replicationInstanceClass or retry later',
      ResourceQuotaExceededFault: 'raise the DMS quota (replication instances, endpoints, tasks) or remove unused ones',
      StorageQuotaExceededFault: 'raise the DMS storage quota or lower dms.allocatedStorage',
      ResourceAlreadyExistsFault: 'another restore with the same id is running or left resources behind; use another restoreId or run cleanup',
      InvalidSubnet: 'pass a dms.replicationSubnetGroupId whose subnets lie in the databases\' VPC',
      ReplicationSubnetGroupDoesNotCoverEnoughAZs: 'pass a dms.replicationSubnetGroupId with subnets in at least two availability zones',
      KMSKeyNotAccessibleFault: 'let the caller and DMS use the KMS key, or use the default key',
      InvalidResourceStateFault: 'wait until the resource leaves its transitional state, then retry',
    },
    otherwise: 'check the AWS message, the IAM permissions and the DMS quotas, then retry',
  },
};

/** True when `err` is an AWS service error of one of these names (`DBInstanceNotFoundFault`, …). */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

/**
 * A one-line {@link AwsResourceError} for an RDS or DMS call that failed (errors of ours pass
 * through): what was being done, to which resource, AWS's own words, and what to do.
 *
 * @example
 * throw explainAwsResourceError('rds', err, 'restore the temporary instance pgsr-r1 from prod-db', 'pgsr-r1');
 * throw explainAwsResourceError('dms', err, 'create the replication instance pgsr-3f2a', 'pgsr-3f2a');
 */
export function explainAwsResourceError(service: AwsService, err: unknown, doing: string, resource: string): SchemaRestoreError {
  if (err instanceof SchemaRestoreError) return err; // already one line (an abort, a timeout)
  const name = err instanceof Error ? err.name : 'Error';
  const said = err instanceof Error ? firstLine(err.message) : String(err);
  const fix = FIXES[service].byName[name] ?? FIXES[service].otherwise;
  return new AwsResourceError(resource, `cannot ${doing}: ${name}: ${said}; ${fix}`, { cause: err });
}
