import type { RDSClient } from '@aws-sdk/client-rds';
import { HandlerEnv, requiredEnv } from './handler-context';
import type { HandlerDeps } from './handler-deps';
import { RestoreRequest } from './restore-request';
import { rdsClientOf } from '../aws/clients';
import { detectRdsSource } from '../sources/rds/detect-rds-source';
import { RdsRestorePlan, validateRdsRestore } from '../sources/rds/validate-rds-restore';
import { RdsSource } from '../sources/restore-source';

/** Input of the detect state. */
export interface DetectSourceEvent {
  readonly restoreId: string;
  readonly request: RestoreRequest;
}

/** A checked plan; in the execution state its dates are ISO strings. */
export interface DetectSourceResult {
  readonly sourceType: RdsRestorePlan['sourceType'];
  readonly plan: RdsRestorePlan;
  /** ISO 8601: the restore time or the snapshot's creation time (now when RDS does not say); the secret version current then logs in. */
  readonly restorePoint: string;
}

/** Side effects of {@link detectSourceHandler}. */
export interface DetectSourceDeps extends HandlerDeps {
  readonly rds?: RDSClient;
}

/**
 * The RDS source the construct was given, as {@link validateRdsRestore} takes it: restored into the
 * construct's subnet group and temporary security group, logging in with the database's secret.
 *
 * @example
 * rdsSourceOf(request, process.env); // { kind: 'rds', id: 'prod-db', restoreTime: Date, secretId: 'arn:…', … }
 */
export function rdsSourceOf(request: RestoreRequest, env: HandlerEnv): RdsSource {
  const securityGroupIds = (env.TEMPORARY_SECURITY_GROUP_IDS ?? '').split(',').filter((id) => id !== '');
  return {
    kind: 'rds',
    id: requiredEnv(env, 'SOURCE_ID'),
    secretId: requiredEnv(env, 'SECRET_ARN'),
    database: request.database,
    ...(request.restoreTime !== undefined ? { restoreTime: new Date(request.restoreTime) } : {}),
    ...(request.snapshotId !== undefined ? { snapshotId: request.snapshotId } : {}),
    ...(env.SUBNET_GROUP_NAME ? { subnetGroup: env.SUBNET_GROUP_NAME } : {}),
    ...(securityGroupIds.length > 0 ? { securityGroupIds } : {}),
    ...(env.INSTANCE_CLASS ? { instanceClass: env.INSTANCE_CLASS } : {}),
  };
}

/**
 * Detect whether the source is an RDS instance or an Aurora cluster and check the restore —
 * PostgreSQL, the time inside the backup window or the snapshot an available one of this source —
 * before anything is created. Reads only.
 *
 * @example
 * export const handler = detectSourceHandler({ rds: new RDSClient({}) });
 */
export function detectSourceHandler(deps: DetectSourceDeps = {}): (event: DetectSourceEvent) => Promise<DetectSourceResult> {
  return async (event) => {
    const rds = rdsClientOf(deps);
    const source = rdsSourceOf(event.request, deps.env ?? process.env);
    const plan = await validateRdsRestore({ rds, source, detected: await detectRdsSource({ rds, id: source.id }) });
    const restorePoint = plan.method.type === 'time' ? plan.method.restoreTime : plan.method.type === 'snapshot' ? plan.method.createdAt : undefined;
    return { sourceType: plan.sourceType, plan, restorePoint: (restorePoint ?? new Date()).toISOString() };
  };
}

export const handler = detectSourceHandler();
