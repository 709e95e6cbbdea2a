import type { ServerlessV2ScalingConfiguration } from '@aws-sdk/client-rds';
import { DetectedRdsSource } from './detect-rds-source';
import { RDS_ERROR_CODES } from './rds-errors';
import { InvalidInputError } from '../../errors';
import { RdsSource } from '../restore-source';

/** Class of Aurora Serverless v2 instances. */
export const SERVERLESS_V2_CLASS = 'db.serverless';

/** Capacity for a Serverless v2 temporary instance when the source cluster has none configured. */
const DEFAULT_SERVERLESS_SCALING: ServerlessV2ScalingConfiguration = { MinCapacity: 0.5, MaxCapacity: 16 };

/** How the temporary database is set up: like the source, private, deletable. */
export interface TemporarySettings {
  readonly sourceType: DetectedRdsSource['type'];
  /** The DB instance or cluster identifier restored from (an Aurora instance resolved to its cluster). */
  readonly sourceId: string;
  readonly engine: string;
  readonly instanceClass: string;
  /** Set for a Serverless v2 instance (class `db.serverless`): the cluster's scaling range. */
  readonly serverless?: ServerlessV2ScalingConfiguration;
  readonly subnetGroup?: string;
  readonly securityGroupIds?: string[];
  /** The source's DB parameter group (instance) and DB cluster parameter group (Aurora), so extensions load as they do there. */
  readonly parameterGroup?: string;
  readonly clusterParameterGroup?: string;
  /** The source's master user name, to tell people which login to give. */
  readonly masterUsername?: string;
}

/**
 * The settings of the temporary database: the source's class (an Aurora cluster's writer's,
 * `db.serverless` with the cluster's scaling range for Serverless v2), subnet group, security groups
 * and parameter groups unless the source options say otherwise.
 *
 * @example
 * temporarySettings({ kind: 'rds', id: 'prod-db', useLatestRestorableTime: true }, detected).instanceClass; // 'db.r6g.large'
 */
export function temporarySettings(source: RdsSource, detected: DetectedRdsSource): TemporarySettings {
  const basis = detected.type === 'instance' ? detected.instance : detected.writer;
  const instanceClass = source.instanceClass ?? basis?.DBInstanceClass;
  if (!instanceClass) {
    throw new InvalidInputError(`"${source.id}" has no writer instance to copy the class from; pass instanceClass (e.g. db.r6g.large or ${SERVERLESS_V2_CLASS})`,
      { code: RDS_ERROR_CODES.badSource });
  }
  const parameterGroup = basis?.DBParameterGroups?.[0]?.DBParameterGroupName;
  const securityGroups = (groups: Array<{ VpcSecurityGroupId?: string }> | undefined) =>
    groups?.map((g) => g.VpcSecurityGroupId).filter((g): g is string => !!g);
  const common = {
    instanceClass,
    securityGroupIds: source.securityGroupIds ? [...source.securityGroupIds] : undefined,
    subnetGroup: source.subnetGroup,
    parameterGroup,
  };
  if (detected.type === 'instance') {
    const instance = detected.instance;
    return {
      ...common,
      sourceType: 'instance',
      sourceId: instance.DBInstanceIdentifier!,
      engine: instance.Engine!,
      subnetGroup: common.subnetGroup ?? instance.DBSubnetGroup?.DBSubnetGroupName,
      securityGroupIds: common.securityGroupIds ?? securityGroups(instance.VpcSecurityGroups),
      masterUsername: instance.MasterUsername,
    };
  }
  const cluster = detected.cluster;
  const scaling = cluster.ServerlessV2ScalingConfiguration;
  return {
    ...common,
    sourceType: 'cluster',
    sourceId: cluster.DBClusterIdentifier!,
    engine: cluster.Engine!,
    serverless: instanceClass === SERVERLESS_V2_CLASS
      ? (scaling?.MinCapacity !== undefined && scaling.MaxCapacity !== undefined
        ? { MinCapacity: scaling.MinCapacity, MaxCapacity: scaling.MaxCapacity, SecondsUntilAutoPause: scaling.SecondsUntilAutoPause }
        : DEFAULT_SERVERLESS_SCALING)
      : undefined,
    subnetGroup: common.subnetGroup ?? cluster.DBSubnetGroup,
    securityGroupIds: common.securityGroupIds ?? securityGroups(cluster.VpcSecurityGroups),
    clusterParameterGroup: cluster.DBClusterParameterGroup,
    masterUsername: cluster.MasterUsername,
  };
}
