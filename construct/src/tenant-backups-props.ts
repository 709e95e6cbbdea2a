import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BackupAccessLogging } from './backup-access-logging';
import { RestoreDatabase } from './restore-database';

/** Which backup runs `backup prune` keeps (restic's policy: a run is kept when any rule keeps it). */
export interface BackupRetention {
  /**
   * The newest runs to keep, whatever their age.
   * @default - no such rule
   */
  readonly keepLast?: number;
  /**
   * Days with a run for which the newest run of the day is kept.
   * @default 7
   */
  readonly keepDaily?: number;
  /**
   * Weeks for which the newest run of the week is kept.
   * @default 4
   */
  readonly keepWeekly?: number;
  /**
   * Months for which the newest run of the month is kept.
   * @default 12
   */
  readonly keepMonthly?: number;
  /**
   * Years for which the newest run of the year is kept.
   * @default - no such rule
   */
  readonly keepYearly?: number;
}

/** The restore drill: restores tenants from the newest backup into a database kept for drills, and reports. */
export interface BackupDrillOptions {
  /** The database server the drill restores into; never the live one. */
  readonly database: RestoreDatabase;
  /** Its credentials secret (RDS format: username, password, host, port). */
  readonly secret: secretsmanager.ISecret;
  /** The database (in that instance or cluster) the drill restores into. */
  readonly databaseName: string;
  /**
   * When the drill runs (EventBridge Scheduler, UTC).
   * @default - monthly, on the 1st at 04:00 UTC
   */
  readonly schedule?: events.Schedule;
  /**
   * The tenant schemas to restore.
   * @default - every schema of the backup (or `sample` of them)
   */
  readonly schemas?: string[];
  /**
   * How many tenants, picked at random, to restore.
   * @default - every schema of the backup (or the given `schemas`)
   */
  readonly sample?: number;
  /**
   * The drill fails when the newest backup is older than this (the recovery point objective), in whole hours.
   * @default - the construct's `maxBackupAge`
   */
  readonly maxBackupAge?: Duration;
  /**
   * Disk of the drill task, in GiB (21–200): it restores each tenant into a throwaway PostgreSQL server in the task, one tenant at a time.
   * @default - Fargate's 20 GiB
   */
  readonly ephemeralStorageGiB?: number;
}

/** Properties of {@link TenantBackups}. */
export interface TenantBackupsProps {
  /** The live database whose tenant schemas are backed up: `RestoreDatabase.fromInstance(…)`, `.fromCluster(…)` or `.fromIdentifier(…)`. */
  readonly database: RestoreDatabase;
  /** The database's credentials secret (RDS format: username, password, host, port). */
  readonly secret: secretsmanager.ISecret;
  /** The database (in the instance or cluster) whose schemas are backed up. */
  readonly databaseName: string;
  /** The VPC of the backup and drill tasks; it must reach the database. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the backup and drill tasks; they need a route to AWS APIs (NAT or VPC endpoints for ECR, S3, Secrets Manager, CloudWatch, Logs).
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The schemas to back up, one archive each.
   * @default - every schema of the database
   */
  readonly schemas?: string[];
  /**
   * How many schemas are dumped at once.
   * @default - the backup command's default
   */
  readonly backupJobs?: number;
  /**
   * When the backup (then the prune) runs (EventBridge Scheduler, UTC).
   * @default - nightly at 02:00 UTC
   */
  readonly schedule?: events.Schedule;
  /**
   * Which backup runs the nightly prune keeps.
   * @default - keepDaily 7, keepWeekly 4, keepMonthly 12
   */
  readonly retention?: BackupRetention;
  /**
   * An existing bucket for the backups, used as it is: set up versioning, encryption, TLS-only access,
   * the lifecycle rules and its removal policy yourself (see the README).
   * @default - a new bucket: retained on `cdk destroy`, versioned, KMS-encrypted, TLS only, no public access
   */
  readonly bucket?: s3.IBucket;
  /**
   * Prefix of every key this construct writes in the bucket; ends with `/` when not empty.
   * @default ''
   */
  readonly prefix?: string;
  /**
   * Customer managed key that encrypts the backups (SSE-KMS).
   * @default - a new key with rotation, retained on `cdk destroy`, when the bucket is created here; the existing bucket's own encryption otherwise
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long an overwritten or deleted (pruned) object version stays recoverable in the bucket created here.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
  /**
   * What happens to the bucket created here and its new key when the construct leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How access to the bucket is recorded.
   * @default - none by this construct: only the backup and drill tasks write the bucket; CloudTrail data events audit it if the account enables them
   */
  readonly accessLogging?: BackupAccessLogging;
  /**
   * The restore drill.
   * @default - no drill
   */
  readonly drill?: BackupDrillOptions;
  /**
   * Topic told when an alarm goes off or a backup or drill task stops with an error.
   * @default - alarms without actions
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The `NoRecentBackup` alarm goes off when no backup succeeded for this long, in whole hours (at most 7 days).
   * @default Duration.hours(25)
   */
  readonly maxBackupAge?: Duration;
  /**
   * The `BackupShrank` alarm goes off when a run is this many percent smaller than the median of the runs before it.
   * @default 50
   */
  readonly shrinkAlarmPercent?: number;
  /**
   * Retention of the backup and drill tasks' logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * CPU units of the backup and drill tasks (1024 = 1 vCPU).
   * @default 1024
   */
  readonly taskCpu?: number;
  /**
   * Memory of the backup and drill tasks, in MiB.
   * @default 2048
   */
  readonly taskMemoryLimitMiB?: number;
  /**
   * Image of the tasks; it must hold `/opt/pg-schema-restore/backup-task.js` and `drill-task.js`.
   * @default - built from the Dockerfile in this package, the image of `SchemaRestore`
   */
  readonly image?: ecs.ContainerImage;
}
