import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { DmsLedger } from './dms-deleters';
import type { DmsWaitOptions } from '../../aws/dms-waiters';

/**
 * How the AWS DMS data engine runs. DMS reads the source as it is — it cannot join the restore's
 * exported snapshot — so the source must not change while it loads: a static temporary copy such
 * as an RDS restore (which is what the restore reads anyway). Credentials never pass through
 * pg-schema-restore: both endpoints read them from Secrets Manager.
 */
export interface DmsEngineOptions {
  /** AWS SDK clients. @default a DMS client from the default credential chain and region */
  readonly clients?: { readonly dms?: DatabaseMigrationServiceClient };

  /** Use this replication instance (it is neither created nor deleted). @default - a temporary one is created */
  readonly replicationInstanceArn?: string;
  /** Class of the temporary replication instance. @default 'dms.t3.medium' */
  readonly replicationInstanceClass?: string;
  /** Replication subnet group of the temporary instance, in the databases' VPC. Required unless `replicationInstanceArn` is given. */
  readonly replicationSubnetGroupId?: string;
  /** Security groups of the temporary instance; they must reach both databases. @default - the VPC's default security group */
  readonly vpcSecurityGroupIds?: readonly string[];
  /** Storage of the temporary instance, in GB (logs and cached changes). @default - DMS's default (50) */
  readonly allocatedStorage?: number;

  /** Secrets Manager secret (ARN) with `host`, `port`, `username`, `password` of the source database. */
  readonly sourceSecretArn: string;
  /** Secrets Manager secret (ARN) with `host`, `port`, `username`, `password` of the target database. */
  readonly targetSecretArn: string;
  /** IAM role DMS assumes to read both secrets (`secretsmanager:GetSecretValue`, trusted by `dms.<region>.amazonaws.com`). */
  readonly secretsAccessRoleArn: string;
  /** Database read at the source. */
  readonly sourceDatabase: string;
  /** Database written in the target. */
  readonly targetDatabase: string;
  /** TLS of both endpoints; `verify-full` also needs `certificateArn`. @default 'require' */
  readonly sslMode?: 'require' | 'verify-full';
  /** DMS certificate (the RDS CA bundle imported with ImportCertificate) for `verify-full`. */
  readonly certificateArn?: string;

  /** Largest value for which limited LOB mode is used; above it, full LOB mode. @default 64 MB */
  readonly limitedLobThresholdBytes?: number;
  /** Send the tasks' logs to CloudWatch (needs the `dms-cloudwatch-logs-role` IAM role). @default false */
  readonly logging?: boolean;

  /** Names and tags the created resources (`pgsr-<restoreId>…`). @default a random id */
  readonly restoreId?: string;
  /** Hours after which an orphan sweep may delete the created resources (their expires-at tag). @default 6 */
  readonly ttlHours?: number;
  /** Each created resource is written down here the moment its create call returns. @default - none */
  readonly ledger?: DmsLedger;
  /** Leave the created instance, endpoints and tasks in place after a successful load. @default false */
  readonly keepResources?: boolean;
  /** Polling of DMS while resources are created and deleted. @default every 15 s backing off to 60 s, up to 1 hour per wait */
  readonly wait?: DmsWaitOptions;
  /** Longest time one schema's full load may take, in seconds. @default 86400 */
  readonly loadMaxWaitSeconds?: number;
  /** Clock for the expires-at tag. @default () => new Date() */
  readonly now?: () => Date;
}

/** DMS options as a whole restore takes them: the source's secret and the databases default from the restore. */
export type RestoreDmsOptions = Omit<DmsEngineOptions, 'sourceSecretArn' | 'sourceDatabase' | 'targetDatabase'>
  & Partial<Pick<DmsEngineOptions, 'sourceSecretArn' | 'sourceDatabase' | 'targetDatabase'>>;

/**
 * Fill in what a restore knows: the temporary source's secret (an RDS source with `secretId` gets a
 * temporary secret holding its login and host), the source and target database names.
 *
 * @example
 * completeDmsOptions(options.dms, { sourceSecretArn: past.secretArn, sourceDatabase: 'tenant_a', targetDatabase: 'tenant_a' });
 */
export function completeDmsOptions(
  given: RestoreDmsOptions | undefined,
  known: { readonly sourceSecretArn?: string; readonly sourceDatabase?: string; readonly targetDatabase?: string },
): DmsEngineOptions | undefined {
  if (!given) return undefined;
  return {
    ...given,
    sourceSecretArn: given.sourceSecretArn ?? known.sourceSecretArn ?? '',
    sourceDatabase: given.sourceDatabase ?? known.sourceDatabase ?? '',
    targetDatabase: given.targetDatabase ?? known.targetDatabase ?? '',
  };
}
