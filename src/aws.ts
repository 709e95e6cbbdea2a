/**
 * `pg-schema-restore/aws`: the AWS pieces on their own — RDS and Aurora temporary restores, historical
 * Secrets Manager credentials, TLS to RDS with the RDS certificate authorities shipped in the package,
 * the DMS copy engine, the ledger of created resources with its cleanup and orphan sweep, and costs.
 * `restoreSchema` and `restoreTemporary` from the root entry use these for `{ kind: 'rds' }` sources
 * and `engine: 'dms'`; the AWS SDK clients load only when one of them runs.
 *
 * @example
 * import { cleanupResources, fileLedgerStore, Ledger, rdsConnectionConfig } from 'pg-schema-restore/aws';
 *
 * const client = new pg.Client(rdsConnectionConfig({ host: 'db.abc.eu-west-1.rds.amazonaws.com', credentials }));
 * // after a crashed restore: delete what it created, in dependency order
 * await cleanupResources(new Ledger(fileLedgerStore('/var/lib/pgsr/ledger.json'), 'r-123'));
 */

// Clients, TLS and historical credentials.
export { dmsClientOf, rdsClientOf, secretsManagerClientOf } from './aws/clients';
export * from './credentials/rds-tls';
export * from './credentials/resolve-historical-secret';
export * from './credentials/choose-secret-version';
export * from './credentials/secret-versions';
export * from './credentials/secret-credentials';
export * from './credentials/verify-credentials';
export * from './credentials/wait-for-credentials';
export * from './credentials/reset-master-password';
export * from './credentials/temporary-rds-database';
export * from './credentials/temporary-secret';

// RDS and Aurora sources: a private, tagged temporary copy at a time or from a snapshot.
export * from './sources/rds/restore-rds';
export * from './sources/rds/detect-rds-source';
export * from './sources/rds/validate-rds-restore';
export * from './sources/rds/plan-rds';
export * from './sources/rds/temporary-settings';
export * from './sources/rds/create-rds-temporary';
export * from './aws/rds-waiters';
export type { AwsWaitOptions } from './aws/run-waiter';
export * from './aws/tags';
export * from './sources/rds/rds-login';
export * from './sources/rds/estimate-rds-cost';
export * from './aws/pricing';

// The DMS copy engine.
export * from './copy/dms/dms-engine-options';
export * from './copy/dms/migrate-with-dms';
export * from './copy/dms/plan-dms';
export * from './copy/dms/dms-source-plan';
export * from './copy/dms/dms-table-mappings';
export * from './copy/dms/dms-task-settings';
export * from './copy/dms/dms-replication-instance';
export * from './copy/dms/dms-endpoints';
export * from './copy/dms/dms-task';
export * from './copy/dms/dms-statistics';
export * from './copy/dms/dms-deleters';

// Every created resource written down, deleted in dependency order; leftovers of crashed runs by their tags.
export * from './aws/ledger';
export * from './cleanup/file-ledger-store';
export * from './cleanup/cleanup-resources';
export * from './cleanup/resource-deleters';
export * from './cleanup/orphans';
export * from './cleanup/dms-orphans';
