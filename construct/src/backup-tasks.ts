import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantBackupTask, METRICS_NAMESPACE } from './backup-permissions';
import { RestoreTask } from './restore-task';
import { BackupDrillOptions, BackupRetention, TenantBackupsProps } from './tenant-backups-props';

/** Where the task image holds its programs (projenrc/construct-assets.ts bundles them there). */
const PROGRAMS = '/opt/pg-schema-restore';

/** @internal */
export interface BackupTasksProps extends TenantBackupsProps {
  readonly bucket: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
  /** The construct's prefix in the bucket, '' or ending with `/`. */
  readonly prefix: string;
  readonly backupsFolder: string;
  readonly drillsFolder: string;
  /** The construct's unique name: the `BackupSet` dimension of its metrics. */
  readonly backupSet: string;
  readonly retention: BackupRetention;
  readonly logRetention: logs.RetentionDays;
  /** The drill's maximum backup age, in hours. */
  readonly drillMaxAgeHours: number;
}

/**
 * The two Fargate tasks of the package's image: `backup-task.js` (backup, prune, metrics) and, with a
 * drill, `drill-task.js` (drill, report to the bucket, metrics), each with its own role, security group and
 * the static settings of the issue 15 contract (no password: logins come from Secrets Manager at run time).
 * @internal
 */
export class BackupTasks extends Construct {
  public readonly backup: RestoreTask;
  public readonly drill?: RestoreTask;

  constructor(scope: Construct, id: string, props: BackupTasksProps) {
    super(scope, id);
    const location = (folder: string) => `s3://${props.bucket.bucketName}/${folder}`;
    // Each task gets only what its program reads: the drill never sees the live database's login.
    const common: Record<string, string> = {
      PGSR_DATABASE_NAME: props.databaseName,
      PGSR_BACKUP_LOCATION: location(props.backupsFolder),
      ...(props.encryptionKey ? { PGSR_BACKUP_KMS_KEY_ARN: props.encryptionKey.keyArn } : {}),
      PGSR_METRICS_NAMESPACE: METRICS_NAMESPACE,
      PGSR_BACKUP_SET: props.backupSet,
    };
    const backupSettings: Record<string, string> = {
      ...common,
      PGSR_DATABASE_SECRET_ARN: props.secret.secretArn,
      ...(props.database.endpointAddress ? { PGSR_DATABASE_HOST: props.database.endpointAddress } : {}),
      ...(props.database.endpointPort ? { PGSR_DATABASE_PORT: props.database.endpointPort } : {}),
      ...(props.schemas ? { PGSR_BACKUP_SCHEMAS: JSON.stringify(props.schemas) } : {}),
      ...(props.backupJobs !== undefined ? { PGSR_BACKUP_JOBS: String(props.backupJobs) } : {}),
      PGSR_RETENTION: JSON.stringify(props.retention),
    };
    const taskProps = {
      vpc: props.vpc,
      cpu: props.taskCpu ?? 1024,
      memoryLimitMiB: props.taskMemoryLimitMiB ?? 2048,
      image: props.image,
      logRetention: props.logRetention,
    };
    this.backup = new RestoreTask(this, 'Backup', {
      ...taskProps,
      environment: backupSettings,
      containerName: 'backup',
      entryPoint: ['node', `${PROGRAMS}/backup-task.js`],
      purpose: 'backup task: reaches the live database, ECR, Secrets Manager, S3 and CloudWatch',
    });
    const access = { bucket: props.bucket, encryptionKey: props.encryptionKey };
    const backups = props.backupsFolder;
    grantBackupTask(this.backup.taskDefinition.taskRole, { ...access, read: [backups], write: [backups], delete: [backups] }, [props.secret]);
    props.database.connections.allowDefaultPortFrom(this.backup.securityGroup, 'pg-schema-restore backup task dumps the tenant schemas');

    if (props.drill) {
      this.drill = new RestoreTask(this, 'Drill', {
        ...taskProps,
        environment: { ...common, PGSR_DRILL_LOCATION: location(props.drillsFolder), ...drillSettings(props.drill, props.drillMaxAgeHours) },
        containerName: 'drill',
        entryPoint: ['node', `${PROGRAMS}/drill-task.js`],
        purpose: 'drill task: reaches the drill database, ECR, Secrets Manager, S3 and CloudWatch',
        cluster: this.backup.cluster,
        ephemeralStorageGiB: props.drill.ephemeralStorageGiB,
      });
      const drillAccess = { ...access, read: [backups], write: [props.drillsFolder], delete: [] };
      grantBackupTask(this.drill.taskDefinition.taskRole, drillAccess, [props.drill.secret]);
      props.drill.database.connections.allowDefaultPortFrom(this.drill.securityGroup, 'pg-schema-restore drill task restores tenants from their backups');
    }
  }

  /** Every task, for the schedules and the stopped-task rule. */
  public get all(): RestoreTask[] {
    return this.drill ? [this.backup, this.drill] : [this.backup];
  }

}

function drillSettings(drill: BackupDrillOptions, maxAgeHours: number): Record<string, string> {
  return {
    PGSR_DRILL_SECRET_ARN: drill.secret.secretArn,
    PGSR_DRILL_DATABASE: drill.databaseName,
    ...(drill.database.endpointAddress ? { PGSR_DRILL_HOST: drill.database.endpointAddress } : {}),
    ...(drill.database.endpointPort ? { PGSR_DRILL_PORT: drill.database.endpointPort } : {}),
    ...(drill.schemas ? { PGSR_DRILL_SCHEMAS: JSON.stringify(drill.schemas) } : {}),
    ...(drill.sample !== undefined ? { PGSR_DRILL_SAMPLE: String(drill.sample) } : {}),
    PGSR_DRILL_MAX_AGE_HOURS: String(maxAgeHours),
  };
}
