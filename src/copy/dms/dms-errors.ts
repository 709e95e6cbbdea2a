import { AwsResourceError, SchemaRestoreError } from '../../errors';

/** What to do about the DMS errors the engine can meet while it creates and runs resources. */
const FIXES: Record<string, string> = {
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
};

/**
 * A one-line {@link AwsResourceError} for a DMS call that failed (errors of ours pass through): what was being done, to which
 * resource, AWS's own words, and what to do.
 *
 * @example
 * throw explainDmsError(err, 'create the replication instance pgsr-3f2a', 'pgsr-3f2a');
 */
export function explainDmsError(err: unknown, doing: string, resource: string): SchemaRestoreError {
  if (err instanceof SchemaRestoreError) return err; // already one line (an abort, a timeout)
  const name = err instanceof Error ? err.name : 'Error';
  const said = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const fix = FIXES[name] ?? 'check the AWS message, the IAM permissions and the DMS quotas, then retry';
  return new AwsResourceError(resource, `cannot ${doing}: ${name}: ${said}; ${fix}`, { cause: err });
}

