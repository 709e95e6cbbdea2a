import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { RDS_ERROR_CODES } from './rds-errors';
import { explainAwsResourceError, isAwsError } from '../../aws/explain-aws-error';
import { rdsSdk } from '../../aws/sdk';
import { InvalidInputError } from '../../errors';

/** What an RDS source identifier names: a DB instance, or an Aurora cluster (with its writer instance, when it has one). */
export type DetectedRdsSource =
  | { readonly type: 'instance'; readonly instance: DBInstance }
  | { readonly type: 'cluster'; readonly cluster: DBCluster; readonly writer?: DBInstance };

/** Options of {@link detectRdsSource}. */
export interface DetectRdsSourceOptions {
  readonly rds: RDSClient;
  /** DB instance or cluster identifier. */
  readonly id: string;
  readonly signal?: AbortSignal;
}

async function describeInstance(rds: RDSClient, id: string, signal?: AbortSignal): Promise<DBInstance | undefined> {
  try {
    const out = await rds.send(new rdsSdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal: signal });
    return out.DBInstances?.[0];
  } catch (err) {
    if (isAwsError(err, 'DBInstanceNotFoundFault')) return undefined;
    throw explainAwsResourceError('rds', err, `describe the DB instance "${id}"`, id);
  }
}

async function describeCluster(rds: RDSClient, id: string, signal?: AbortSignal): Promise<DBCluster | undefined> {
  try {
    const out = await rds.send(new rdsSdk.DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal: signal });
    return out.DBClusters?.[0];
  } catch (err) {
    if (isAwsError(err, 'DBClusterNotFoundFault')) return undefined;
    throw explainAwsResourceError('rds', err, `describe the DB cluster "${id}"`, id);
  }
}

/**
 * Find out whether an identifier names an RDS DB instance or an Aurora DB cluster (an instance that
 * belongs to a cluster stands for its cluster, which is what Aurora restores). Reads only.
 *
 * @example
 * const detected = await detectRdsSource({ rds: new RDSClient({}), id: 'prod-db' });
 * if (detected.type === 'cluster') console.log(detected.writer?.DBInstanceClass);
 */
export async function detectRdsSource(options: DetectRdsSourceOptions): Promise<DetectedRdsSource> {
  const { rds, id, signal } = options;
  const instance = await describeInstance(rds, id, signal);
  if (instance && !instance.DBClusterIdentifier) return { type: 'instance', instance };
  const clusterId = instance?.DBClusterIdentifier ?? id;
  const cluster = await describeCluster(rds, clusterId, signal);
  if (!cluster) {
    throw new InvalidInputError(`there is no RDS DB instance or Aurora DB cluster "${id}" in this account and region; ` +
      'check the identifier and the AWS region and profile (AWS_REGION, AWS_PROFILE)', { code: RDS_ERROR_CODES.notFound });
  }
  const writerId = cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
  const writer = writerId === undefined ? undefined
    : writerId === instance?.DBInstanceIdentifier ? instance : await describeInstance(rds, writerId, signal);
  return { type: 'cluster', cluster, writer };
}
