import { AwsResourceError, ErrorCode } from '../../errors';

/** `code`s of the {@link InvalidInputError}s an RDS source throws for bad input, before anything is created. */
export const RDS_ERROR_CODES = {
  /** The source options are inconsistent (not exactly one of restoreTime, snapshotId, useLatestRestorableTime, …). */
  badSource: 'RDS_BAD_SOURCE',
  /** No DB instance or cluster of that identifier in this account and region. */
  notFound: 'RDS_NOT_FOUND',
  /** The source is not PostgreSQL. */
  engineUnsupported: 'RDS_ENGINE_UNSUPPORTED',
  /** The restore time lies outside the backup retention window (or backups are off). */
  timeOutsideWindow: 'RDS_TIME_OUTSIDE_WINDOW',
  /** The snapshot does not exist. */
  snapshotNotFound: 'RDS_SNAPSHOT_NOT_FOUND',
  /** The snapshot exists but is not `available` (still being created, failed, …). */
  snapshotNotAvailable: 'RDS_SNAPSHOT_NOT_AVAILABLE',
  /** The snapshot was taken of another instance or cluster. */
  snapshotOfAnotherSource: 'RDS_SNAPSHOT_OF_ANOTHER_SOURCE',
  /** Neither credentials nor a secret were given for the temporary database. */
  noCredentials: 'RDS_NO_CREDENTIALS',
} as const satisfies Record<string, ErrorCode>;

/** What to do about the RDS errors a restore can meet when it creates resources. */
const FIXES: Record<string, string> = {
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
};

/** True when `err` is an AWS service error of one of these names (`DBInstanceNotFoundFault`, …). */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

/**
 * A one-line {@link AwsResourceError} for an AWS call that failed: what was being done, to which
 * resource, AWS's own words, and what to do.
 *
 * @example
 * throw explainRdsError(err, 'restore the temporary instance pgsr-r1 from prod-db', 'pgsr-r1');
 */
export function explainRdsError(err: unknown, doing: string, resource: string): AwsResourceError {
  if (err instanceof AwsResourceError) return err;
  const name = err instanceof Error ? err.name : 'Error';
  const said = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const fix = FIXES[name] ?? 'check the AWS message, the IAM permissions and the RDS quotas, then retry';
  return new AwsResourceError(resource, `cannot ${doing}: ${name}: ${said}; ${fix}`, { cause: err });
}
