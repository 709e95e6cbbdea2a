import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CopyEngine } from './copy-engine';
import { RestoreDatabase } from './restore-database';
import { TenantBackups } from './tenant-backups';

/** Properties of {@link SchemaRestore}. */
export interface SchemaRestoreProps {
  /** The live database whose schemas are restored from its backups: `RestoreDatabase.fromInstance(…)`, `.fromCluster(…)` or `.fromIdentifier(…)`. */
  readonly database: RestoreDatabase;
  /**
   * The database's credentials secret (RDS format: username, password, host, port). Its version
   * current at the restore point logs in to the temporary copy; its current version writes the live database.
   */
  readonly secret: secretsmanager.ISecret;
  /** The VPC of the temporary database and of the copy task; it must reach the live database. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the temporary database, the copy task and the function that checks the login; they need a route to AWS APIs (NAT or VPC endpoints).
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The engine of executions whose input names none.
   * @default CopyEngine.COPY
   */
  readonly copyEngine?: CopyEngine;
  /**
   * Table for the audit records (partition key `restoreId`, a string), which also hold each restore's ledger of temporary resources.
   * @default - a new table, point-in-time recovery on, retained when the stack is deleted
   */
  readonly auditTable?: dynamodb.ITable;
  /**
   * Topic told the outcome of every execution.
   * @default - no notification
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Customer managed key for the artifact bucket, the audit table this construct creates and the temporary secrets.
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket that receives the artifact bucket's server access logs, under `pg-schema-restore/<construct name>/`.
   * @default - no server access logs: only the copy task writes the artifact bucket; CloudTrail data events audit it if the account enables them
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Retention of the state machine's, the functions' and the task's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * CPU units of the copy task (1024 = 1 vCPU).
   * @default 2048
   */
  readonly taskCpu?: number;
  /**
   * Memory of the copy task, in MiB.
   * @default 4096
   */
  readonly taskMemoryLimitMiB?: number;
  /**
   * Disk of the copy task, in GiB (21–200). A restore from `backups` loads the tenant's archives into a
   * throwaway PostgreSQL server inside the task: give it room for the restored schemas.
   * @default - Fargate's 20 GiB
   */
  readonly taskEphemeralStorageGiB?: number;
  /**
   * Image of the copy task.
   * @default - built from the Dockerfile in this package: Node.js 22, the newest PostgreSQL programs and the pg-schema-restore CLI
   */
  readonly image?: ecs.ContainerImage;
  /**
   * DB instance class of the temporary database.
   * @default - the source's
   */
  readonly instanceClass?: string;
  /**
   * How long the temporary restore may take to become available.
   * @default Duration.hours(3)
   */
  readonly temporaryRestoreTimeout?: Duration;
  /**
   * How often the temporary restore's status is read.
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;
  /**
   * How long the copy task (DDL, data, post-data and validation) may run.
   * @default Duration.hours(12)
   */
  readonly copyTimeout?: Duration;
  /**
   * How long a whole execution may run.
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;
  /**
   * How long reports and DDL artifacts are kept in the artifact bucket.
   * @default Duration.days(30)
   */
  readonly artifactRetention?: Duration;
  /**
   * Backups of the database's tenants that executions may restore from with `"source": "backup"`
   * (`restoreTime` optional: the newest backup at or before it, the newest when absent), without
   * any temporary RDS instance. The copy task may read the backups (`backups/` of the bucket, and decrypt with its key).
   * @default - no backups: only the temporary RDS/Aurora restore; `"source": "backup"` is refused as bad input
   */
  readonly backups?: TenantBackups;
}
