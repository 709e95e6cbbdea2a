/**
 * `pg-schema-restore/testing`: the sample multi-tenant databases the demo and our tests restore —
 * `tenant_a` (`customer_a1`, `customer_a2`) and `tenant_b` (`customer_b1`, `customer_b2`), each schema
 * with users, products, orders, order items and an audit log, routines, owners and grants — for
 * trying a restore, or testing code around one, on a server from `pg-schema-restore/local`.
 *
 * @example
 * import { startLocalCluster } from 'pg-schema-restore/local';
 * import { createSampleDatabases, SAMPLE_SCHEMAS } from 'pg-schema-restore/testing';
 *
 * const cluster = await startLocalCluster();
 * const urls = await createSampleDatabases(cluster, { rows: 50 }); // { tenant_a: 'postgres://…', tenant_b: … }
 */

export * from './sample';
