import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isAwsError } from '../aws/explain-aws-error';
import { ResourceKind } from '../aws/ledger';
import {
  waitForDBClusterAvailable, waitForDBClusterDeleted, waitForDBInstanceAvailable, waitForDBInstanceDeleted,
} from '../aws/rds-waiters';
import { AwsWaitOptions } from '../aws/run-waiter';
import { rdsSdk, secretsManagerSdk } from '../aws/sdk';
import { deleteDmsResource, DMS_RESOURCE_KINDS, DmsResourceKind, manualDmsDelete } from '../copy/dms/dms-deleters';

/** What a deleter gets: clients built on first use, and how to wait. */
export interface DeleteContext {
  readonly rds: () => RDSClient;
  readonly dms: () => DatabaseMigrationServiceClient;
  readonly secretsManager: () => SecretsManagerClient;
  /** Wait until the resource is gone, not only until AWS accepted the delete. */
  readonly waitForDeletion: boolean;
  readonly wait?: AwsWaitOptions;
  readonly signal?: AbortSignal;
}

/** `deleted`: AWS accepted (or finished) the deletion; `gone`: it did not exist any more. */
export type DeleteOutcome = 'deleted' | 'gone';

/** Deletes one kind of resource, idempotently, and says how to do it by hand when it cannot. */
export interface ResourceDeleter {
  delete(id: string, context: DeleteContext): Promise<DeleteOutcome>;
  /** The command that deletes it by hand. */
  manual(id: string): string;
}

/** Let a resource leave a transitional state (creating, backing-up, …) in which RDS refuses deletes; a failed state is fine too. */
async function settle(wait: () => Promise<unknown>): Promise<void> {
  await wait().catch(() => undefined);
}

const dbInstance: ResourceDeleter = {
  async delete(id, context) {
    const rds = context.rds();
    const waits = { ...context.wait, rds, signal: context.signal };
    const send = () => rds.send(new rdsSdk.DeleteDBInstanceCommand({
      DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: true,
    }));
    try {
      await send();
    } catch (err) {
      if (isAwsError(err, 'DBInstanceNotFoundFault')) return 'gone';
      if (!isAwsError(err, 'InvalidDBInstanceStateFault')) throw err;
      const status = (await rds.send(new rdsSdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]?.DBInstanceStatus;
      if (status !== 'deleting') {
        await settle(() => waitForDBInstanceAvailable(id, waits));
        await send();
      }
    }
    if (context.waitForDeletion) await waitForDBInstanceDeleted(id, waits);
    return 'deleted';
  },
  manual: (id) => `aws rds delete-db-instance --db-instance-identifier ${id} --skip-final-snapshot --delete-automated-backups`,
};

const dbCluster: ResourceDeleter = {
  async delete(id, context) {
    const rds = context.rds();
    const waits = { ...context.wait, rds, signal: context.signal };
    const send = () => rds.send(new rdsSdk.DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }));
    try {
      await send();
    } catch (err) {
      if (isAwsError(err, 'DBClusterNotFoundFault')) return 'gone';
      if (!isAwsError(err, 'InvalidDBClusterStateFault')) throw err;
      const cluster = (await rds.send(new rdsSdk.DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
      if (cluster?.Status !== 'deleting') {
        // A cluster is deletable once its instances are gone and it is no longer being created.
        for (const member of cluster?.DBClusterMembers ?? []) await waitForDBInstanceDeleted(member.DBInstanceIdentifier!, waits);
        await settle(() => waitForDBClusterAvailable(id, waits));
        await send();
      }
    }
    if (context.waitForDeletion) await waitForDBClusterDeleted(id, waits);
    return 'deleted';
  },
  manual: (id) => `aws rds delete-db-cluster --db-cluster-identifier ${id} --skip-final-snapshot`,
};

const secret: ResourceDeleter = {
  async delete(id, context) {
    try {
      await context.secretsManager().send(new secretsManagerSdk.DeleteSecretCommand({ SecretId: id, ForceDeleteWithoutRecovery: true }));
      return 'deleted';
    } catch (err) {
      if (isAwsError(err, 'ResourceNotFoundException')) return 'gone';
      throw err;
    }
  },
  manual: (id) => `aws secretsmanager delete-secret --secret-id ${id} --force-delete-without-recovery`,
};

/** DMS tasks, endpoints and replication instances: the DMS engine's own idempotent deleters. */
function dmsDeleter(kind: DmsResourceKind): ResourceDeleter {
  return {
    delete: (id, context) => deleteDmsResource(kind, id, { clients: { dms: context.dms() }, wait: context.wait, signal: context.signal }),
    manual: (id) => manualDmsDelete(kind, id),
  };
}

/**
 * The deleter of each kind of resource cleanup can remove; a kind without one would be reported as
 * left over. Add a kind here, not in the cleanup loop.
 */
export const RESOURCE_DELETERS: Partial<Record<ResourceKind, ResourceDeleter>> = {
  ...Object.fromEntries(DMS_RESOURCE_KINDS.map((kind) => [kind, dmsDeleter(kind)])),
  'rds-instance': dbInstance,
  'rds-cluster': dbCluster,
  'secret': secret,
};
