import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { dmsSdk } from '../aws/sdk';

/** A DMS resource with the tags ListTagsForResource reported for it. */
export interface TaggedDmsResource {
  readonly kind: 'dms-task' | 'dms-endpoint' | 'dms-replication-instance';
  readonly id: string;
  readonly tags: ReadonlyArray<{ Key?: string; Value?: string }>;
  readonly createdAt?: Date;
  readonly deleting: boolean;
}

/** ListTagsForResource takes up to 100 ARNs at a time. */
const TAG_BATCH = 100;

/**
 * Every DMS replication task, endpoint and replication instance of the account and region, with its
 * tags (DMS describe calls do not return tags, so they are read in batches of ARNs).
 *
 * @example
 * const tagged = await listTaggedDmsResources(new DatabaseMigrationServiceClient({}));
 */
export async function listTaggedDmsResources(dms: DatabaseMigrationServiceClient): Promise<TaggedDmsResource[]> {
  const found: Array<Omit<TaggedDmsResource, 'tags'>> = [];
  for await (const page of dmsSdk.paginateDescribeReplicationTasks({ client: dms }, { WithoutSettings: true })) {
    for (const t of page.ReplicationTasks ?? []) {
      if (t.ReplicationTaskArn) found.push({ kind: 'dms-task', id: t.ReplicationTaskArn, createdAt: t.ReplicationTaskCreationDate, deleting: t.Status === 'deleting' });
    }
  }
  for await (const page of dmsSdk.paginateDescribeEndpoints({ client: dms }, {})) {
    for (const e of page.Endpoints ?? []) if (e.EndpointArn) found.push({ kind: 'dms-endpoint', id: e.EndpointArn, deleting: e.Status === 'deleting' });
  }
  for await (const page of dmsSdk.paginateDescribeReplicationInstances({ client: dms }, {})) {
    for (const i of page.ReplicationInstances ?? []) {
      if (i.ReplicationInstanceArn) {
        found.push({ kind: 'dms-replication-instance', id: i.ReplicationInstanceArn, createdAt: i.InstanceCreateTime, deleting: i.ReplicationInstanceStatus === 'deleting' });
      }
    }
  }
  const tags = new Map<string, Array<{ Key?: string; Value?: string }>>();
  for (let i = 0; i < found.length; i += TAG_BATCH) {
    const arns = found.slice(i, i + TAG_BATCH).map((r) => r.id);
    const { TagList } = await dms.send(new dmsSdk.ListTagsForResourceCommand({ ResourceArnList: arns }));
    for (const tag of TagList ?? []) if (tag.ResourceArn) tags.set(tag.ResourceArn, [...tags.get(tag.ResourceArn) ?? [], tag]);
  }
  return found.map((r) => ({ ...r, tags: tags.get(r.id) ?? [] }));
}
