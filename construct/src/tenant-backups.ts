import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BackupAlarms, backupSetMetric } from './backup-alarms';
import { backupBucket } from './backup-bucket';
import { BackupSchedules, DEFAULT_BACKUP_SCHEDULE, DEFAULT_DRILL_SCHEDULE, ScheduledTask } from './backup-schedules';
import { BackupTasks } from './backup-tasks';
import { BackupRetention, TenantBackupsProps } from './tenant-backups-props';

/** Folder of the backup runs in the bucket (under the prefix): `backups/<database>/<UTC time>/`. */
export const BACKUPS_FOLDER = 'backups/';
/** Folder of the drill reports in the bucket (under the prefix): `drills/<database>/<UTC time>.json|.md`. */
export const DRILLS_FOLDER = 'drills/';

/**
 * Nightly per-tenant backups of a PostgreSQL database into S3, kept by a retention policy, checked by
 * alarms and proven by monthly restore drills.
 *
 * EventBridge Scheduler starts Fargate tasks of the pg-schema-restore image: `backup` then `backup prune`
 * every night, and `drill` every month with its report stored under `drills/`. Both publish metrics to
 * CloudWatch in the `PgSchemaRestore` namespace, which the alarms watch.
 *
 * @example
 * const backups = new TenantBackups(this, 'Backups', {
 *   database: RestoreDatabase.fromCluster(cluster), secret: cluster.secret!, databaseName: 'tenants', vpc,
 *   drill: { database: RestoreDatabase.fromInstance(drillInstance), secret: drillInstance.secret!, databaseName: 'drill' },
 *   notificationTopic: topic,
 * });
 */
export class TenantBackups extends Construct {
  /** The bucket that holds the backups (under `<prefix>backups/`) and the drill reports (under `<prefix>drills/`). */
  public readonly bucket: s3.IBucket;
  /** The key that encrypts the backups, when one is known. */
  public readonly encryptionKey?: kms.IKey;
  /** Prefix of every key this construct writes in the bucket. */
  public readonly prefix: string;
  /** The database whose schemas are backed up. */
  public readonly databaseName: string;
  /** Where the backup runs are: `s3://<bucket>/<prefix>backups/`; a restore reads `<backupsLocation><database>/`. */
  public readonly backupsLocation: string;
  /** Where the drill reports are: `s3://<bucket>/<prefix>drills/`. */
  public readonly drillsLocation: string;
  /** The `BackupSet` dimension of this construct's metrics: its unique name. */
  public readonly backupSet: string;
  /** The task that backs up and prunes (`/opt/pg-schema-restore/backup-task.js`). */
  public readonly backupTaskDefinition: ecs.FargateTaskDefinition;
  /** The task that runs the drill (`/opt/pg-schema-restore/drill-task.js`), when there is a drill. */
  public readonly drillTaskDefinition?: ecs.FargateTaskDefinition;
  /** The cluster both tasks run in. */
  public readonly cluster: ecs.ICluster;
  /** The backup and drill tasks' security groups; the backup task's is allowed into the database, the drill task's into the drill database. */
  public readonly connections: ec2.Connections;
  /** Goes off when no backup succeeded for `maxBackupAge` (also when none reported at all). */
  public readonly noRecentBackupAlarm: cloudwatch.Alarm;
  /** Goes off when a backup run failed. */
  public readonly backupFailedAlarm: cloudwatch.Alarm;
  /** Goes off when a run is more than `shrinkAlarmPercent` smaller than the median of the runs before it. */
  public readonly backupShrankAlarm: cloudwatch.Alarm;
  /** Goes off when a drill failed, when there is a drill. */
  public readonly drillFailedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TenantBackupsProps) {
    super(scope, id);
    const settings = checkedSettings(props);
    this.prefix = props.prefix ?? '';
    this.databaseName = props.databaseName;
    this.backupSet = Names.uniqueResourceName(this, { maxLength: 128 });
    const { bucket, encryptionKey } = backupBucket(this, {
      bucket: props.bucket,
      encryptionKey: props.encryptionKey,
      prefix: this.prefix,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      noncurrentVersionRetention: props.noncurrentVersionRetention ?? Duration.days(30),
      accessLogging: props.accessLogging,
    });
    this.bucket = bucket;
    this.encryptionKey = encryptionKey;
    this.backupsLocation = `s3://${this.bucket.bucketName}/${this.prefix}${BACKUPS_FOLDER}`;
    this.drillsLocation = `s3://${this.bucket.bucketName}/${this.prefix}${DRILLS_FOLDER}`;

    const tasks = new BackupTasks(this, 'Tasks', {
      ...props,
      bucket,
      encryptionKey,
      prefix: this.prefix,
      backupsFolder: `${this.prefix}${BACKUPS_FOLDER}`,
      drillsFolder: `${this.prefix}${DRILLS_FOLDER}`,
      backupSet: this.backupSet,
      retention: settings.retention,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      drillMaxAgeHours: settings.drillMaxAgeHours,
    });
    this.backupTaskDefinition = tasks.backup.taskDefinition;
    this.drillTaskDefinition = tasks.drill?.taskDefinition;
    this.cluster = tasks.backup.cluster;
    this.connections = new ec2.Connections({ securityGroups: tasks.all.map((task) => task.securityGroup) });

    const scheduled: ScheduledTask[] = [
      { id: 'Backup', task: tasks.backup, schedule: props.schedule ?? DEFAULT_BACKUP_SCHEDULE, description: `pg-schema-restore backup and prune of ${props.databaseName}` },
    ];
    if (tasks.drill) {
      scheduled.push({ id: 'Drill', task: tasks.drill, schedule: props.drill?.schedule ?? DEFAULT_DRILL_SCHEDULE, description: `pg-schema-restore restore drill of ${props.databaseName}` });
    }
    new BackupSchedules(this, 'Schedules', {
      tasks: scheduled,
      subnets: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }),
    });

    const alarms = new BackupAlarms(this, 'Alarms', {
      backupSet: this.backupSet,
      databaseName: props.databaseName,
      maxBackupAgeHours: settings.maxBackupAgeHours,
      shrinkAlarmPercent: settings.shrinkAlarmPercent,
      withDrill: tasks.drill !== undefined,
      notificationTopic: props.notificationTopic,
      taskDefinitions: tasks.all.map((task) => task.taskDefinition),
    });
    this.noRecentBackupAlarm = alarms.noRecentBackup;
    this.backupFailedAlarm = alarms.backupFailed;
    this.backupShrankAlarm = alarms.backupShrank;
    this.drillFailedAlarm = alarms.drillFailed;
  }

  /**
   * A metric the backup or drill task publishes for this construct, for dashboards and alarms of your own:
   * `BackupSucceeded`, `BackupFailed`, `BackupBytes`, `BackupDuration`, `BackupAge`, `BackupSizeRatio`, `PrunedRuns`,
   * `DrillSucceeded`, `DrillFailed`, `DrillRto`, `DrillTenants`, `DrillBackupAge`.
   *
   * @example
   * dashboard.addWidgets(new cloudwatch.GraphWidget({ left: [backups.metric('DrillRto', { statistic: 'Maximum', period: Duration.days(1) })] }));
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return backupSetMetric(this, metricName, props);
  }

  /** Allow a principal to list and read the backups and the drill reports. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee, `${this.prefix}*`);
    this.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }

  /** Allow a principal to restore from the backups (`restore --source s3://…`): list and read the backup runs. */
  public grantRestore(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee, `${this.prefix}${BACKUPS_FOLDER}*`);
    this.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }
}

/** The props that need checking or a computed default, checked at synth time with a message that says what to change. */
function checkedSettings(props: TenantBackupsProps) {
  const prefix = props.prefix ?? '';
  if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'))) throw new Error(`TenantBackups prefix must end with '/' and not start with one (got '${prefix}'), e.g. 'tenants/'`);
  if (!props.databaseName) throw new Error('TenantBackups needs a databaseName: the database whose schemas are backed up');
  if (props.schemas?.length === 0) throw new Error('TenantBackups schemas is empty: leave it out to back up every schema');
  const retention: BackupRetention = { keepDaily: 7, keepWeekly: 4, keepMonthly: 12, ...props.retention };
  for (const [rule, count] of Object.entries(retention)) {
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new Error(`TenantBackups retention.${rule} must be a whole number of runs, 0 or more (got ${count})`);
  }
  if (!Object.values(retention).some((count) => count !== undefined && count > 0)) throw new Error('TenantBackups retention keeps nothing: keep at least one run');
  const maxBackupAgeHours = wholeHours('maxBackupAge', props.maxBackupAge ?? Duration.hours(25));
  const shrinkAlarmPercent = props.shrinkAlarmPercent ?? 50;
  if (!(shrinkAlarmPercent > 0 && shrinkAlarmPercent < 100)) throw new Error(`TenantBackups shrinkAlarmPercent must be between 0 and 100 (got ${shrinkAlarmPercent})`);
  const drill = props.drill;
  if (drill?.schemas !== undefined && drill.sample !== undefined) throw new Error('TenantBackups drill: give schemas or sample, not both');
  if (drill?.sample !== undefined && !(Number.isInteger(drill.sample) && drill.sample >= 1)) throw new Error(`TenantBackups drill.sample must be a whole number of tenants, 1 or more (got ${drill.sample})`);
  const drillMaxAgeHours = drill?.maxBackupAge ? wholeHours('drill.maxBackupAge', drill.maxBackupAge) : maxBackupAgeHours;
  return { retention, maxBackupAgeHours, shrinkAlarmPercent, drillMaxAgeHours };
}

/** A duration as whole hours, 1 to 168: the NoRecentBackup alarm evaluates one period per hour and CloudWatch evaluates at most 7 days. */
function wholeHours(name: string, duration: Duration): number {
  if (Token.isUnresolved(duration.toSeconds())) throw new Error(`TenantBackups ${name} must be known at synth time`);
  const hours = duration.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) throw new Error(`TenantBackups ${name} must be whole hours between 1 and 168 (got ${duration.toHumanString()})`);
  return hours;
}
