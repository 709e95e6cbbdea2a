import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { waitForEndpointDeleted } from './dms-endpoints';
import { waitForReplicationInstanceAvailable, waitForReplicationInstanceDeleted } from './dms-replication-instance';
import { waitForReplicationTaskDeleted, waitForReplicationTaskReady, waitForReplicationTaskStopped } from './dms-task';
import { dmsClientOf } from '../../aws/clients';
import { DmsWaitOptions, WaitForDmsOptions } from '../../aws/dms-waiters';
import { explainAwsResourceError, isAwsError } from '../../aws/explain-aws-error';
import { dmsSdk } from '../../aws/sdk';

/** The DMS resources the engine creates, in the order they must be deleted. */
export const DMS_RESOURCE_KINDS = ['dms-task', 'dms-endpoint', 'dms-replication-instance'] as const;
export type DmsResourceKind = typeof DMS_RESOURCE_KINDS[number];

/** Where created resources are written down the moment they exist (the `Ledger` of src/cleanup fits). */
export interface DmsLedger {
  record(entry: { kind: DmsResourceKind; id: string }): Promise<void>;
  /** Strike a resource whose deletion is confirmed. @default - entries stay until a cleanup finds them gone */
  remove?(kind: DmsResourceKind, id: string): Promise<void>;
}

/** Options of {@link deleteDmsResource}. */
export interface DeleteDmsResourceOptions {
  /** @default a DMS client from the default credential chain and region */
  readonly clients?: { readonly dms?: DatabaseMigrationServiceClient };
  readonly wait?: DmsWaitOptions;
  readonly signal?: AbortSignal;
}

/** `deleted`: it existed and is gone now; `gone`: it did not exist any more. */
export type DmsDeleteOutcome = 'deleted' | 'gone';

const RUNNING = new Set(['starting', 'running', 'resuming']);
const SETTLING = new Set(['creating', 'modifying', 'testing', 'moving']);

async function deleteTask(arn: string, waits: WaitForDmsOptions): Promise<DmsDeleteOutcome> {
  const { dms } = waits;
  let status: string | undefined;
  try {
    status = (await dms.send(new dmsSdk.DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }))).ReplicationTasks?.[0]?.Status;
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundFault')) return 'gone';
    throw err;
  }
  if (status === undefined) return 'gone';
  if (RUNNING.has(status)) await dms.send(new dmsSdk.StopReplicationTaskCommand({ ReplicationTaskArn: arn }));
  if (RUNNING.has(status) || status === 'stopping') await waitForReplicationTaskStopped(arn, waits);
  if (SETTLING.has(status)) await waitForReplicationTaskReady(arn, waits).catch(() => undefined); // a failed task can be deleted too
  if (status !== 'deleting') {
    try {
      await dms.send(new dmsSdk.DeleteReplicationTaskCommand({ ReplicationTaskArn: arn }));
    } catch (err) {
      if (isAwsError(err, 'ResourceNotFoundFault')) return 'gone';
      throw err;
    }
  }
  await waitForReplicationTaskDeleted(arn, waits);
  return 'deleted';
}

async function deleteEndpoint(arn: string, waits: WaitForDmsOptions): Promise<DmsDeleteOutcome> {
  try {
    await waits.dms.send(new dmsSdk.DeleteEndpointCommand({ EndpointArn: arn }));
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundFault')) return 'gone';
    throw err;
  }
  await waitForEndpointDeleted(arn, waits);
  return 'deleted';
}

async function deleteInstance(arn: string, waits: WaitForDmsOptions): Promise<DmsDeleteOutcome> {
  const send = () => waits.dms.send(new dmsSdk.DeleteReplicationInstanceCommand({ ReplicationInstanceArn: arn }));
  try {
    await send();
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundFault')) return 'gone';
    if (!isAwsError(err, 'InvalidResourceStateFault')) throw err;
    // Still being created: DMS refuses to delete it until it is available (or has failed).
    await waitForReplicationInstanceAvailable(arn, waits).catch(() => undefined);
    try {
      await send();
    } catch (again) {
      if (isAwsError(again, 'ResourceNotFoundFault')) return 'gone';
      throw again;
    }
  }
  await waitForReplicationInstanceDeleted(arn, waits);
  return 'deleted';
}

const DELETERS: Record<DmsResourceKind, (arn: string, waits: WaitForDmsOptions) => Promise<DmsDeleteOutcome>> = {
  'dms-task': deleteTask,
  'dms-endpoint': deleteEndpoint,
  'dms-replication-instance': deleteInstance,
};

/**
 * Delete a DMS resource by ARN and wait until it is gone: a task is stopped first when it runs, an
 * instance still being created is deleted once it can be. Idempotent: a resource that no longer
 * exists is `gone`, not an error.
 *
 * @example
 * await deleteDmsResource('dms-task', taskArn, { clients: { dms } });
 * await deleteDmsResource('dms-endpoint', endpointArn, { clients: { dms } });
 * await deleteDmsResource('dms-replication-instance', instanceArn, { clients: { dms } });
 */
export async function deleteDmsResource(kind: DmsResourceKind, arn: string, options: DeleteDmsResourceOptions = {}): Promise<DmsDeleteOutcome> {
  const dms = dmsClientOf(options.clients);
  const waits: WaitForDmsOptions = { dms, wait: options.wait, signal: options.signal };
  try {
    return await DELETERS[kind](arn, waits);
  } catch (err) {
    throw explainAwsResourceError('dms', err, `delete ${kind.replace('dms-', 'the DMS ').replace('-', ' ')} ${arn} (by hand: ${manualDmsDelete(kind, arn)})`, arn);
  }
}

/**
 * The AWS CLI command that deletes a DMS resource by hand.
 *
 * @example
 * manualDmsDelete('dms-endpoint', arn); // 'aws dms delete-endpoint --endpoint-arn arn:aws:dms:…'
 */
export function manualDmsDelete(kind: DmsResourceKind, arn: string): string {
  switch (kind) {
    case 'dms-task': return `aws dms stop-replication-task --replication-task-arn ${arn}; aws dms delete-replication-task --replication-task-arn ${arn}`;
    case 'dms-endpoint': return `aws dms delete-endpoint --endpoint-arn ${arn}`;
    case 'dms-replication-instance': return `aws dms delete-replication-instance --replication-instance-arn ${arn}`;
  }
}
