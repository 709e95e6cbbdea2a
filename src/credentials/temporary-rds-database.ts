import type { RDSClient, Tag } from '@aws-sdk/client-rds';
import { explainAwsError } from '../aws/explain-aws-error';
import { rdsSdk } from '../aws/sdk';
import { readRestoreTags, RESTORE_ID_TAG } from '../aws/tags';
import { InvalidInputError } from '../errors';

/** Which RDS database to act on: a DB instance or an Aurora DB cluster. */
export interface RdsDatabaseIdentifier {
  readonly dbInstanceIdentifier?: string;
  readonly dbClusterIdentifier?: string;
}

/** A temporary database pg-schema-restore created, as RDS describes it. */
export interface TemporaryRdsDatabase {
  readonly kind: 'instance' | 'cluster';
  readonly identifier: string;
  readonly masterUsername: string;
  /** Its master password is managed by RDS in Secrets Manager (`ManageMasterUserPassword`). */
  readonly managedMasterPassword: boolean;
}

/** `name.abc123.eu-west-1.rds.amazonaws.com` → instance `name`; `name.cluster-abc123…` (or `cluster-ro-`) → cluster `name`. */
export function databaseIdentifierFromHost(host: string): RdsDatabaseIdentifier | undefined {
  const match = /^([a-z][a-z0-9-]*)\.(cluster-(?:ro-)?)?[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com(?:\.cn)?$/i.exec(host);
  if (!match || /^cluster-custom-/i.test(host.split('.')[1])) return undefined;
  return match[2] ? { dbClusterIdentifier: match[1] } : { dbInstanceIdentifier: match[1] };
}

/** Options of {@link findTemporaryRdsDatabase}. */
export interface FindTemporaryRdsDatabaseOptions {
  readonly database: RdsDatabaseIdentifier;
  readonly rds: RDSClient;
  /** When given, the database's restore-id tag must have this value. */
  readonly restoreId?: string;
  readonly signal?: AbortSignal;
}

/**
 * Describe a DB instance or cluster and make sure pg-schema-restore created it (it carries the
 * {@link RESTORE_ID_TAG} tag, with `restoreId` when given): what is about to change its master password
 * must never reach a production database.
 *
 * @example
 * const db = await findTemporaryRdsDatabase({ database: { dbInstanceIdentifier: 'pgsr-r-123' }, rds, restoreId: 'r-123' });
 */
export async function findTemporaryRdsDatabase(options: FindTemporaryRdsDatabaseOptions): Promise<TemporaryRdsDatabase> {
  const { database, rds, restoreId, signal } = options;
  const kind = database.dbClusterIdentifier ? 'cluster' : 'instance';
  const identifier = database.dbClusterIdentifier ?? database.dbInstanceIdentifier;
  if (!identifier) throw new InvalidInputError('no DB instance or cluster identifier to reset the master password of; pass resetMasterPassword: { dbInstanceIdentifier } or { dbClusterIdentifier }', { code: 'RESET_TARGET_MISSING' });
  const label = `DB ${kind} "${identifier}"`;
  let described: { MasterUsername?: string; TagList?: Tag[]; MasterUserSecret?: unknown } | undefined;
  try {
    described = kind === 'cluster'
      ? (await rds.send(new rdsSdk.DescribeDBClustersCommand({ DBClusterIdentifier: identifier }), { abortSignal: signal })).DBClusters?.[0]
      : (await rds.send(new rdsSdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }), { abortSignal: signal })).DBInstances?.[0];
  } catch (err) {
    throw explainAwsError(err, {
      action: `describe ${label}`,
      permission: kind === 'cluster' ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances',
      notFound: () => new InvalidInputError(`${label} does not exist; check the identifier and the AWS region`, { code: 'DATABASE_NOT_FOUND' }),
    });
  }
  if (!described) throw new InvalidInputError(`${label} does not exist; check the identifier and the AWS region`, { code: 'DATABASE_NOT_FOUND' });
  const tag = readRestoreTags(described.TagList)?.restoreId;
  if (tag === undefined || (restoreId !== undefined && tag !== restoreId)) {
    const whose = tag === undefined ? `it has no ${RESTORE_ID_TAG} tag` : `its ${RESTORE_ID_TAG} tag is "${tag}", not "${restoreId}"`;
    throw new InvalidInputError(`refusing to reset the master password of ${label}: ${whose}, so it is not a temporary database of this restore; ` +
      'reset passwords only on databases pg-schema-restore created', { code: 'RESET_REFUSED' });
  }
  if (!described.MasterUsername) throw new InvalidInputError(`${label} reports no master user name; reset its password in the RDS console`, { code: 'RESET_REFUSED' });
  return { kind, identifier, masterUsername: described.MasterUsername, managedMasterPassword: !!described.MasterUserSecret };
}
