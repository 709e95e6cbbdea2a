import { cleanupResources, CleanupResourcesOptions } from './cleanup-resources';
import { listTaggedDmsResources, TaggedDmsResource } from './dms-orphans';
import { dmsClientOf, rdsClientOf, secretsManagerClientOf } from '../aws/clients';
import { Ledger, LedgerEntry, memoryLedgerStore } from '../aws/ledger';
import { rdsSdk, secretsManagerSdk } from '../aws/sdk';
import { readRestoreTags, RESTORE_ID_TAG } from '../aws/tags';
import type { AwsClients } from '../sources/restore-source';

/** A resource a restore created and nobody removed: its `expires-at` tag has passed, or it is older than allowed. */
export interface OrphanedResource {
  readonly kind: 'rds-instance' | 'rds-cluster' | 'secret' | TaggedDmsResource['kind'];
  /** Identifier the delete call takes (DB instance/cluster identifier, secret ARN). */
  readonly id: string;
  readonly restoreId: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date;
  /** `expired 2024-01-28T20:00:00.000Z` or `created 2024-01-27T08:00:00.000Z`. */
  readonly reason: string;
}

/** Options of {@link findOrphans}. */
export interface FindOrphansOptions {
  readonly clients?: AwsClients;
  /** Also count as orphans resources created longer ago than this, whatever their `expires-at` says. @default only expired ones */
  readonly olderThanMs?: number;
  /** @default new Date() */
  readonly now?: Date;
  /** Also look for DMS tasks, endpoints and replication instances (the `dms` engine's). @default true */
  readonly includeDms?: boolean;
  readonly signal?: AbortSignal;
}

interface Tagged {
  readonly kind: OrphanedResource['kind'];
  readonly id?: string;
  readonly tags?: ReadonlyArray<{ Key?: string; Value?: string }>;
  readonly createdAt?: Date;
  /** Already being deleted: not an orphan any more. */
  readonly deleting?: boolean;
}

function orphanOf(resource: Tagged, now: Date, olderThanMs?: number): OrphanedResource | undefined {
  const tags = readRestoreTags(resource.tags);
  if (!tags || !resource.id || resource.deleting) return undefined;
  const { restoreId, expiresAt } = tags;
  const base = { kind: resource.kind, id: resource.id, restoreId, createdAt: resource.createdAt, expiresAt };
  if (expiresAt && expiresAt <= now) return { ...base, reason: `expired ${expiresAt.toISOString()}` };
  if (olderThanMs !== undefined && resource.createdAt && resource.createdAt.getTime() <= now.getTime() - olderThanMs) {
    return { ...base, reason: `created ${resource.createdAt.toISOString()}` };
  }
  return undefined;
}

async function listTagged(options: FindOrphansOptions): Promise<Tagged[]> {
  const rds = rdsClientOf(options.clients);
  const found: Tagged[] = [];
  for await (const page of rdsSdk.paginateDescribeDBInstances({ client: rds }, {})) {
    for (const i of page.DBInstances ?? []) {
      found.push({ kind: 'rds-instance', id: i.DBInstanceIdentifier, tags: i.TagList, createdAt: i.InstanceCreateTime, deleting: i.DBInstanceStatus === 'deleting' });
    }
  }
  for await (const page of rdsSdk.paginateDescribeDBClusters({ client: rds }, {})) {
    for (const c of page.DBClusters ?? []) found.push({ kind: 'rds-cluster', id: c.DBClusterIdentifier, tags: c.TagList, createdAt: c.ClusterCreateTime, deleting: c.Status === 'deleting' });
  }
  const secrets = secretsManagerClientOf(options.clients);
  for await (const page of secretsManagerSdk.paginateListSecrets({ client: secrets }, { Filters: [{ Key: 'tag-key', Values: [RESTORE_ID_TAG] }] })) {
    for (const s of page.SecretList ?? []) found.push({ kind: 'secret', id: s.ARN, tags: s.Tags, createdAt: s.CreatedDate, deleting: s.DeletedDate !== undefined });
  }
  if (options.includeDms !== false) found.push(...await listTaggedDmsResources(dmsClientOf(options.clients)));
  return found;
}

/**
 * List the DB instances, DB clusters, secrets and DMS resources that carry the `pg-schema-restore:restore-id` tag
 * and whose `expires-at` has passed (or that are older than `olderThanMs`): what a crashed restore
 * left behind. Reads only.
 *
 * @example
 * const orphans = await findOrphans({ olderThanMs: 24 * 3600_000 });
 * orphans.forEach((o) => console.log(o.kind, o.id, o.reason));
 */
export async function findOrphans(options: FindOrphansOptions = {}): Promise<OrphanedResource[]> {
  const now = options.now ?? new Date();
  return (await listTagged(options)).map((r) => orphanOf(r, now, options.olderThanMs)).filter((o): o is OrphanedResource => o !== undefined);
}

/** Options of {@link sweepOrphans}. */
export interface SweepOrphansOptions extends FindOrphansOptions, Omit<CleanupResourcesOptions, 'allRestores' | 'clients' | 'signal'> {
  /** Only list what would be deleted. @default false */
  readonly dryRun?: boolean;
}

/** What a sweep found, and what it deleted (nothing in a dry run). */
export interface SweepResult {
  readonly orphans: OrphanedResource[];
  readonly deleted: OrphanedResource[];
}

/**
 * Find orphans ({@link findOrphans}) and delete them with the same deleters as a restore's own
 * cleanup, in dependency order; a dry run only lists them. What cannot be deleted ends in one
 * {@link CleanupError} listing it.
 *
 * @example
 * const { orphans } = await sweepOrphans({ dryRun: true });
 * await sweepOrphans({ onProgress: console.log });
 */
export async function sweepOrphans(options: SweepOrphansOptions = {}): Promise<SweepResult> {
  const orphans = await findOrphans(options);
  if (options.dryRun || orphans.length === 0) return { orphans, deleted: [] };
  const entries: LedgerEntry[] = orphans.map((o) => ({
    kind: o.kind, id: o.id, restoreId: o.restoreId, createdAt: (o.createdAt ?? new Date(0)).toISOString(),
  }));
  const ledger = new Ledger(memoryLedgerStore(entries), 'orphan-sweep');
  const result = await cleanupResources(ledger, { ...options, allRestores: true });
  const done = new Set([...result.deleted, ...result.alreadyGone].map((e) => `${e.kind}:${e.id}`));
  return { orphans, deleted: orphans.filter((o) => done.has(`${o.kind}:${o.id}`)) };
}
