import type { RDSClient, Tag } from '@aws-sdk/client-rds';
import { RdsRestorePlan } from './validate-rds-restore';
import { ResourceKind } from '../../aws/ledger';
import { rdsSdk } from '../../aws/sdk';
import { temporaryIdentifier } from '../../aws/tags';

/** One create call of the temporary database: what it creates, and the call. */
export interface TemporaryRequest {
  readonly kind: Extract<ResourceKind, 'rds-instance' | 'rds-cluster'>;
  readonly id: string;
  /** Send the create call; it returns once RDS accepted it (the database is not available yet). */
  send(rds: RDSClient): Promise<unknown>;
}

function instanceSettings(plan: RdsRestorePlan, tags: Tag[]) {
  return {
    DBInstanceClass: plan.instanceClass, PubliclyAccessible: false, CopyTagsToSnapshot: false, DBParameterGroupName: plan.parameterGroup, Tags: tags,
  };
}

/** The restore time (an ISO string once the plan went through a state machine's JSON) or the latest restorable time. */
function when(plan: RdsRestorePlan): { time?: Date; latest?: true } {
  if (plan.method.type === 'time') return { time: new Date(plan.method.restoreTime) };
  return plan.method.type === 'latest' ? { latest: true } : {};
}

/**
 * The restore call of a checked plan: an RDS instance, or an Aurora cluster, restored to a time or
 * from a snapshot — private, no deletion protection, the plan's network and parameter groups,
 * tagged. Shared by the SDK (which then waits) and the construct's Lambda (whose state machine waits).
 *
 * @example
 * const request = temporaryRestoreRequest(plan, 'r1', tags);
 * await request.send(rds); // then wait for request.id
 */
export function temporaryRestoreRequest(plan: RdsRestorePlan, restoreId: string, tags: Tag[]): TemporaryRequest {
  const { method } = plan;
  const { time, latest } = when(plan);
  if (plan.sourceType === 'instance') {
    const id = temporaryIdentifier(restoreId);
    const settings = {
      ...instanceSettings(plan, tags),
      DBSubnetGroupName: plan.subnetGroup,
      VpcSecurityGroupIds: plan.securityGroupIds,
      DeletionProtection: false,
      MultiAZ: false,
    };
    return {
      kind: 'rds-instance',
      id,
      send: (rds) => (method.type === 'snapshot'
        ? rds.send(new rdsSdk.RestoreDBInstanceFromDBSnapshotCommand({
          ...settings, DBInstanceIdentifier: id, DBSnapshotIdentifier: method.snapshotId,
        }))
        : rds.send(new rdsSdk.RestoreDBInstanceToPointInTimeCommand({
          ...settings, SourceDBInstanceIdentifier: plan.sourceId, TargetDBInstanceIdentifier: id, RestoreTime: time, UseLatestRestorableTime: latest,
        }))),
    };
  }
  const id = temporaryIdentifier(restoreId);
  const settings = {
    DBClusterIdentifier: id,
    DBSubnetGroupName: plan.subnetGroup,
    VpcSecurityGroupIds: plan.securityGroupIds,
    DBClusterParameterGroupName: plan.clusterParameterGroup,
    ServerlessV2ScalingConfiguration: plan.serverless,
    DeletionProtection: false,
    CopyTagsToSnapshot: false,
    Tags: tags,
  };
  return {
    kind: 'rds-cluster',
    id,
    send: (rds) => (method.type === 'snapshot'
      ? rds.send(new rdsSdk.RestoreDBClusterFromSnapshotCommand({
        ...settings, SnapshotIdentifier: method.snapshotId, Engine: method.engine ?? plan.engine, EngineVersion: method.engineVersion,
      }))
      : rds.send(new rdsSdk.RestoreDBClusterToPointInTimeCommand({
        ...settings, SourceDBClusterIdentifier: plan.sourceId, RestoreType: 'full-copy', RestoreToTime: time, UseLatestRestorableTime: latest,
      }))),
  };
}

/**
 * The one instance of a restored Aurora cluster (`pgsr-<id>-1`), with the plan's class (or
 * `db.serverless`), tagged like the cluster.
 *
 * @example
 * await temporaryClusterInstanceRequest(plan, 'r1', tags).send(rds);
 */
export function temporaryClusterInstanceRequest(plan: RdsRestorePlan, restoreId: string, tags: Tag[]): TemporaryRequest {
  const id = temporaryIdentifier(restoreId, '1');
  return {
    kind: 'rds-instance',
    id,
    send: (rds) => rds.send(new rdsSdk.CreateDBInstanceCommand({
      ...instanceSettings(plan, tags), DBInstanceIdentifier: id, DBClusterIdentifier: temporaryIdentifier(restoreId), Engine: plan.engine,
    })),
  };
}
