import type { RDSClient } from '@aws-sdk/client-rds';
import { auditLedger, auditTableOf } from './handler-context';
import type { AuditHandlerDeps } from './handler-deps';
import { rdsClientOf } from '../aws/clients';
import { explainAwsResourceError } from '../aws/explain-aws-error';
import { ResourceKind } from '../aws/ledger';
import { restoreTags, temporaryIdentifier } from '../aws/tags';
import type { WithClock } from '../run-options';
import { temporaryClusterInstanceRequest, temporaryRestoreRequest } from '../sources/rds/temporary-requests';
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
export interface StartTemporaryDeps extends AuditHandlerDeps, WithClock {
  readonly rds?: RDSClient;
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
    const rds = rdsClientOf(deps);
    const now = deps.now ?? (() => new Date());
    const ledger = auditLedger(auditTableOf({ dynamodb: deps.dynamodb, env }), event.restoreId, now);
    const tags = [...restoreTags({ restoreId: event.restoreId, now: now() }), ...(env.OWNER ? [{ Key: OWNER_TAG, Value: env.OWNER }] : [])];
    const what = event.step === 'restore' ? `the temporary copy of "${event.plan.sourceId}"` : `the instance of the temporary cluster ${temporaryIdentifier(event.restoreId)}`;
    let created: TemporaryResource;
    try {
      // Returns once RDS accepted the call: the state machine's wait loop polls.
      const request = event.step === 'restore'
        ? temporaryRestoreRequest(event.plan, event.restoreId, tags)
        : temporaryClusterInstanceRequest(event.plan, event.restoreId, tags);
      await request.send(rds);
      created = { kind: request.kind, id: request.id };
    } catch (err) {
      throw explainAwsResourceError('rds', err, `create ${what}`, temporaryIdentifier(event.restoreId));
    }
    await ledger.record(created);
    return created;
  };
}

export const handler = startTemporaryHandler();
