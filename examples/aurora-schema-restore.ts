/**
 * An Aurora PostgreSQL cluster with a SchemaRestore beside it: one tenant's schema restored from the
 * cluster's backups into the live cluster, side by side, by starting an execution of the state machine.
 *
 *   cdk deploy -a 'npx ts-node examples/aurora-schema-restore.ts'
 *   aws stepfunctions start-execution --state-machine-arn <RestoreStateMachineArn> \
 *     --input '{"database": "tenants", "schemas": ["customer_a1"], "restoreTime": "2024-01-28T14:30:00Z"}'
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RestoreDatabase, SchemaRestore } from '../construct/src';

/** The tenants' database and the restore workflow for it. */
export class TenantDatabaseStack extends Stack {
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
    const outcomes = new sns.Topic(this, 'RestoreOutcomes', { enforceSSL: true });

    this.restore = new SchemaRestore(this, 'SchemaRestore', {
      database: RestoreDatabase.fromCluster(cluster),
      secret: cluster.secret!,
      vpc,
      notificationTopic: outcomes,
    });

    new CfnOutput(this, 'RestoreStateMachineArn', { value: this.restore.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RestoreAuditTable', { value: this.restore.auditTable.tableName });
  }
}

if (require.main === module) {
  const app = new App();
  new TenantDatabaseStack(app, 'TenantDatabase', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
  app.synth();
}
