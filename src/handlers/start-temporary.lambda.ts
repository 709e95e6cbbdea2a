import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateDBInstanceCommand, RDSClient, RestoreDBClusterFromSnapshotCommand, RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand, Tag,
} from '@aws-sdk/client-rds';
import { auditLedger, auditTableOf, HandlerEnv } from './handler-context';
import { ResourceKind } from '../cleanup/ledger';
import { explainRdsError } from '../sources/rds/rds-errors';
import { restoreTags, temporaryIdentifier } from '../sources/rds/rds-tags';
import { RdsRestorePlan } from '../sources/rds/validate-rds-restore';

/** Tag naming the SchemaRestore that created a resource; its IAM policies only let it delete what carries its own value. */
export const OWNER_TAG = 'pg-schema-restore:owner';

/** Input of a start state: the plan from the detect state; `cluster-instance` adds the instance to a restored Aurora cluster. */
export interface StartTemporaryEvent {
  readonly restoreId: string;
  readonly plan: RdsRestorePlan;
  readonly step: 'restore' | 'cluster-instance';
}

/** The resource the wait loop polls next. */
export interface TemporaryResource {
  readonly kind: Extract<ResourceKind, 'rds-instance' | 'rds-cluster'>;
  readonly id: string;
}

/** Side effects of {@link startTemporaryHandler}. */
export interface StartTemporaryDeps {
  readonly rds?: RDSClient;
  readonly dynamodb?: DynamoDBClient;
  /** @default process.env */
  readonly env?: HandlerEnv;
  readonly now?: () => Date;
}

/** In the execution state the plan's dates are ISO strings. */
function restoreTimeOf(plan: RdsRestorePlan): Date | undefined {
  return plan.method.type === 'time' ? new Date(plan.method.restoreTime) : undefined;
}

function instanceSettings(plan: RdsRestorePlan, tags: Tag[]) {
  return {
    DBInstanceClass: plan.instanceClass, PubliclyAccessible: false, CopyTagsToSnapshot: false, DBParameterGroupName: plan.parameterGroup, Tags: tags,
  };
}

/** The restore call of the plan; returns without waiting (the state machine's wait loop polls). */
async function sendRestore(rds: RDSClient, plan: RdsRestorePlan, restoreId: string, tags: Tag[]): Promise<TemporaryResource> {
  const { method } = plan;
  const restoreTime = restoreTimeOf(plan);
  const latest = method.type === 'latest' ? true : undefined;
  if (plan.sourceType === 'instance') {
    const id = temporaryIdentifier(restoreId);
    const settings = {
      ...instanceSettings(plan, tags),
      DBSubnetGroupName: plan.subnetGroup,
      VpcSecurityGroupIds: plan.securityGroupIds,
      DeletionProtection: false,
      MultiAZ: false,
    };
    if (method.type === 'snapshot') {
      await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ ...settings, DBInstanceIdentifier: id, DBSnapshotIdentifier: method.snapshotId }));
    } else {
      await rds.send(new RestoreDBInstanceToPointInTimeCommand({
        ...settings,
        SourceDBInstanceIdentifier: plan.sourceId,
        TargetDBInstanceIdentifier: id,
        RestoreTime: restoreTime,
        UseLatestRestorableTime: latest,
      }));
    }
    return { kind: 'rds-instance', id };
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
  if (method.type === 'snapshot') {
    await rds.send(new RestoreDBClusterFromSnapshotCommand({
      ...settings, SnapshotIdentifier: method.snapshotId, Engine: method.engine ?? plan.engine, EngineVersion: method.engineVersion,
    }));
  } else {
    await rds.send(new RestoreDBClusterToPointInTimeCommand({
      ...settings, SourceDBClusterIdentifier: plan.sourceId, RestoreType: 'full-copy', RestoreToTime: restoreTime, UseLatestRestorableTime: latest,
    }));
  }
  return { kind: 'rds-cluster', id };
}

async function sendClusterInstance(rds: RDSClient, plan: RdsRestorePlan, restoreId: string, tags: Tag[]): Promise<TemporaryResource> {
  const id = temporaryIdentifier(restoreId, '1');
  await rds.send(new CreateDBInstanceCommand({
    ...instanceSettings(plan, tags), DBInstanceIdentifier: id, DBClusterIdentifier: temporaryIdentifier(restoreId), Engine: plan.engine,
  }));
  return { kind: 'rds-instance', id };
}

/**
 * Start the temporary restore of a checked plan — an RDS instance restored to a time or from a
 * snapshot, or an Aurora cluster likewise (`restore`), then its one instance (`cluster-instance`) —
 * private, without deletion protection, tagged with the restore id and this construct's owner tag.
 * Each resource enters the ledger in the audit record as soon as its create call returns.
 *
 * @example
 * export const handler = startTemporaryHandler({ rds: new RDSClient({}) });
 */
export function startTemporaryHandler(deps: StartTemporaryDeps = {}): (event: StartTemporaryEvent) => Promise<TemporaryResource> {
  return async (event) => {
    const env = deps.env ?? process.env;
    const rds = deps.rds ?? new RDSClient({});
    const now = deps.now ?? (() => new Date());
    const ledger = auditLedger(auditTableOf({ dynamodb: deps.dynamodb, env }), event.restoreId, now);
    const tags = [...restoreTags({ restoreId: event.restoreId, now: now() }), ...(env.OWNER ? [{ Key: OWNER_TAG, Value: env.OWNER }] : [])];
    const what = event.step === 'restore' ? `the temporary copy of "${event.plan.sourceId}"` : `the instance of the temporary cluster ${temporaryIdentifier(event.restoreId)}`;
    let created: TemporaryResource;
    try {
      created = event.step === 'restore'
        ? await sendRestore(rds, event.plan, event.restoreId, tags)
        : await sendClusterInstance(rds, event.plan, event.restoreId, tags);
    } catch (err) {
      throw explainRdsError(err, `create ${what}`, temporaryIdentifier(event.restoreId));
    }
    await ledger.record(created);
    return created;
  };
}

export const handler = startTemporaryHandler();
