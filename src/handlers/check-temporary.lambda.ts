import type { RDSClient } from '@aws-sdk/client-rds';
import { TemporaryResource } from './start-temporary.lambda';
import { rdsClientOf } from '../aws/clients';
import { explainAwsResourceError } from '../aws/explain-aws-error';
import { rdsSdk } from '../aws/sdk';
import { AwsResourceError } from '../errors';

/** One poll's answer: keep waiting, or go on with the endpoint. */
export interface TemporaryStatus {
  readonly status: 'pending' | 'available';
  /** What RDS reports (`creating`, `backing-up`, …). */
  readonly rdsStatus: string;
  readonly address?: string;
  readonly port?: number;
}

/** Side effects of {@link checkTemporaryHandler}. */
export interface CheckTemporaryDeps {
  readonly rds?: RDSClient;
}

/** States a restore does not come back from (the SDK waiters' failure states). */
const FAILED_STATUSES = ['failed', 'deleting', 'deleted', 'incompatible-restore', 'incompatible-parameters', 'incompatible-network',
  'inaccessible-encryption-credentials', 'inaccessible-encryption-credentials-recoverable', 'storage-full', 'restore-error'];

async function describe(rds: RDSClient, resource: TemporaryResource): Promise<{ status?: string; address?: string; port?: number }> {
  try {
    if (resource.kind === 'rds-cluster') {
      const cluster = (await rds.send(new rdsSdk.DescribeDBClustersCommand({ DBClusterIdentifier: resource.id }))).DBClusters?.[0];
      return { status: cluster?.Status, address: cluster?.Endpoint, port: cluster?.Port };
    }
    const instance = (await rds.send(new rdsSdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: resource.id }))).DBInstances?.[0];
    return { status: instance?.DBInstanceStatus, address: instance?.Endpoint?.Address, port: instance?.Endpoint?.Port };
  } catch (err) {
    throw explainAwsResourceError('rds', err, `read the status of ${resource.id}`, resource.id);
  }
}

/**
 * One poll of a temporary instance or cluster; the state machine's Wait + Choice loop is the
 * bounded wait around it. A state a restore does not come back from is an error.
 *
 * @example
 * export const handler = checkTemporaryHandler({ rds: new RDSClient({}) });
 */
export function checkTemporaryHandler(deps: CheckTemporaryDeps = {}): (event: { resource: TemporaryResource }) => Promise<TemporaryStatus> {
  return async ({ resource }) => {
    const found = await describe(rdsClientOf(deps), resource);
    const rdsStatus = found.status ?? 'unknown';
    if (FAILED_STATUSES.includes(rdsStatus)) {
      throw new AwsResourceError(resource.id, `${resource.id} ended in status "${rdsStatus}" instead of becoming available; ` +
        `read its events (aws rds describe-events --source-identifier ${resource.id}) and retry`, { code: 'AWS_RESOURCE_FAILED' });
    }
    if (rdsStatus !== 'available') return { status: 'pending', rdsStatus };
    return { status: 'available', rdsStatus, ...(found.address ? { address: found.address } : {}), port: found.port ?? 5432 };
  };
}

export const handler = checkTemporaryHandler();
