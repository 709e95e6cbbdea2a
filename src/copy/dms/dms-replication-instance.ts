import type {
  DatabaseMigrationServiceClient,
  DescribeReplicationInstancesCommandOutput,
  Tag,
} from '@aws-sdk/client-database-migration-service';
import { runDmsWaiter, WaitForDmsOptions } from '../../aws/dms-waiters';
import { explainAwsResourceError } from '../../aws/explain-aws-error';
import { dmsSdk } from '../../aws/sdk';
import { AwsResourceError } from '../../errors';

/** Options of {@link createReplicationInstance}. */
export interface CreateReplicationInstanceOptions {
  readonly dms: DatabaseMigrationServiceClient;
  /** `pgsr-<restoreId>`: letters, digits and single hyphens. */
  readonly identifier: string;
  /** @default 'dms.t3.medium' */
  readonly instanceClass?: string;
  readonly subnetGroupId: string;
  readonly securityGroupIds?: readonly string[];
  readonly allocatedStorage?: number;
  readonly tags: Tag[];
  readonly signal?: AbortSignal;
}

/**
 * Ask DMS for a private, single-AZ replication instance and return its ARN as soon as the create
 * call returns (it is `creating` then; wait with {@link waitForReplicationInstanceAvailable}).
 *
 * @example
 * const arn = await createReplicationInstance({ dms, identifier: 'pgsr-3f2a', subnetGroupId: 'db-subnets', tags });
 * await ledger.record({ kind: 'dms-replication-instance', id: arn });
 */
export async function createReplicationInstance(options: CreateReplicationInstanceOptions): Promise<string> {
  const { dms, identifier } = options;
  try {
    const out = await dms.send(new dmsSdk.CreateReplicationInstanceCommand({
      ReplicationInstanceIdentifier: identifier,
      ReplicationInstanceClass: options.instanceClass ?? 'dms.t3.medium',
      ReplicationSubnetGroupIdentifier: options.subnetGroupId,
      ...(options.securityGroupIds ? { VpcSecurityGroupIds: [...options.securityGroupIds] } : {}),
      ...(options.allocatedStorage !== undefined ? { AllocatedStorage: options.allocatedStorage } : {}),
      PubliclyAccessible: false,
      MultiAZ: false,
      Tags: options.tags,
    }), { abortSignal: options.signal });
    const arn = out.ReplicationInstance?.ReplicationInstanceArn;
    if (!arn) throw new AwsResourceError(identifier, `CreateReplicationInstance returned no ARN for ${identifier}; delete it and retry`);
    return arn;
  } catch (err) {
    throw explainAwsResourceError('dms', err, `create the replication instance ${identifier}`, identifier);
  }
}

const byArn = (arn: string) => ({ Filters: [{ Name: 'replication-instance-arn', Values: [arn] }] });
const instanceStatus = (o: unknown) =>
  (o as DescribeReplicationInstancesCommandOutput | undefined)?.ReplicationInstances?.[0]?.ReplicationInstanceStatus;

/**
 * Wait, with the SDK's `waitUntilReplicationInstanceAvailable`, until a replication instance is
 * `available`; a state it cannot leave (`incompatible-network`, …) throws an {@link AwsResourceError}.
 *
 * @example
 * await waitForReplicationInstanceAvailable(arn, { dms, signal, onStatus: (t) => log(t.join(' → ')) });
 */
export async function waitForReplicationInstanceAvailable(arn: string, options: WaitForDmsOptions): Promise<void> {
  const { reached, status } = await runDmsWaiter(dmsSdk.waitUntilReplicationInstanceAvailable, byArn(arn), arn, 'available', instanceStatus, options);
  if (!reached) {
    throw new AwsResourceError(arn, `replication instance ${arn} is "${status}" instead of available; ` +
      'check its subnet group (subnets in the databases\' VPC, two availability zones), security groups and KMS key, then retry');
  }
}

/**
 * Wait, with the SDK's `waitUntilReplicationInstanceDeleted`, until a replication instance is gone.
 *
 * @example
 * await waitForReplicationInstanceDeleted(arn, { dms });
 */
export async function waitForReplicationInstanceDeleted(arn: string, options: WaitForDmsOptions): Promise<void> {
  const { reached, status } = await runDmsWaiter(dmsSdk.waitUntilReplicationInstanceDeleted, byArn(arn), arn, 'deleted', instanceStatus, options);
  if (!reached) throw new AwsResourceError(arn, `replication instance ${arn} is "${status}" instead of being deleted; delete it in the DMS console`);
}
