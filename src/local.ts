/**
 * `pg-schema-restore/local`: throwaway PostgreSQL servers on this machine — started on a free loopback
 * port in a temporary directory (as the `postgres` OS user when run as root) and always removed — the
 * PostgreSQL programs they use, backups of them (`pg_basebackup` with a WAL archive, `pg_dump`), and
 * what crashed runs leave behind (staging schemas, temporary directories), as `cleanup --local` finds it.
 *
 * @example
 * import { startLocalCluster } from 'pg-schema-restore/local';
 *
 * const cluster = await startLocalCluster();
 * try {
 *   await restoreSchema({ source: cluster.url('past'), target: cluster.url('live'), schemas: ['customer_a1'] });
 * } finally {
 *   await cluster.stop();
 * }
 */

export * from './local/local-cluster';
export * from './local/postgres-binaries';
export * from './local/backups';
export { findLocalLeftovers, type FindLocalLeftoversOptions, type LocalLeftovers, type StagingLeftover, type DirectoryLeftover } from './cleanup/local-leftovers';
export { removeLocalLeftovers, type RemoveLocalLeftoversOptions, type RemovedLeftovers } from './cleanup/remove-local-leftovers';
export { listMarkedSchemas, type StagingMarker, type MarkedSchema, STAGING_MARKER_PREFIX } from './cleanup/staging-marker';
