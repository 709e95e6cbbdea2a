/**
 * The tenants' Aurora PostgreSQL cluster with its backups and its restores: TenantBackups writes one
 * archive per tenant schema every night into a retained, versioned, KMS-encrypted bucket, prunes by
 * retention, restores a sample of tenants into a drill database every month and raises alarms (late
 * backup, failed backup, shrunken backup, failed drill) to an SNS topic; SchemaRestore restores a tenant
 * from those backups — no temporary RDS copy — or, by default, from the cluster's own backups.
 *
 *   cdk deploy -a 'npx ts-node examples/tenant-backups.ts'
 *   # one tenant as it was at 14:30, from the nightly backups:
 *   aws stepfunctions start-execution --state-machine-arn <RestoreStateMachineArn> \
 *     --input '{"database": "tenants", "schemas": ["customer_a1"], "restoreTime": "2024-01-28T14:30:00Z", "source": "backup"}'
 *   # a backup now, without waiting for the night (the command the schedule runs):
 *   aws ecs run-task --cluster <BackupCluster> --task-definition <BackupTaskDefinition> --launch-type FARGATE \
 *     --network-configuration 'awsvpcConfiguration={subnets=[…],securityGroups=[…]}'
 *
 * The drill database must be prepared like production with what tenants reference outside their own
 * schema (extensions, shared lookup schemas, roles), so that a tenant restored there is complete.
 */
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RestoreDatabase, SchemaRestore, TenantBackups } from '../construct/src';

/** The tenants' database, its nightly tenant backups with monthly drills, and the restore workflow reading both. */
export class TenantBackupsStack extends Stack {
  public readonly backups: TenantBackups;
  public readonly restore: SchemaRestore;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new rds.DatabaseCluster(this, 'Tenants', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('writer'),
      vpc,
      defaultDatabaseName: 'tenants',
      storageEncrypted: true,
    });
    // A small database of its own for the monthly drills: restores there never load production.
    const drills = new rds.DatabaseInstance(this, 'Drills', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      databaseName: 'drills',
      storageEncrypted: true,
    });
    const alerts = new sns.Topic(this, 'BackupAlerts', { enforceSSL: true });

    this.backups = new TenantBackups(this, 'TenantBackups', {
      database: RestoreDatabase.fromCluster(cluster),
      secret: cluster.secret!,
      databaseName: 'tenants',
      vpc,
      // Nightly at 02:00 UTC (the default); kept 7 daily, 4 weekly, 12 monthly (the default) and 3 yearly.
      retention: { keepYearly: 3 },
      drill: {
        database: RestoreDatabase.fromInstance(drills),
        secret: drills.secret!,
        databaseName: 'drills',
        // Monthly on the 1st at 04:00 UTC (the default): three tenants picked at random each time.
        sample: 3,
      },
      maxBackupAge: Duration.hours(25),
      shrinkAlarmPercent: 30,
      notificationTopic: alerts,
    });

    this.restore = new SchemaRestore(this, 'SchemaRestore', {
      database: RestoreDatabase.fromCluster(cluster),
      secret: cluster.secret!,
      vpc,
      backups: this.backups,
      notificationTopic: alerts,
    });

    new CfnOutput(this, 'BackupBucket', { value: this.backups.bucket.bucketName });
    new CfnOutput(this, 'BackupCluster', { value: this.backups.cluster.clusterName });
    new CfnOutput(this, 'BackupTaskDefinition', { value: this.backups.backupTaskDefinition.taskDefinitionArn });
    new CfnOutput(this, 'RestoreStateMachineArn', { value: this.restore.stateMachine.stateMachineArn });
  }
}

if (require.main === module) {
  const app = new App();
  new TenantBackupsStack(app, 'TenantBackups', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
  app.synth();
}
