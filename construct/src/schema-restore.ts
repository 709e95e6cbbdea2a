import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acceptFindings } from './accepted-findings';
import { CopyEngine } from './copy-engine';
import { DmsSupport } from './dms-support';
import { RestoreFunctions } from './restore-functions';
import { grantRestorePermissions } from './restore-permissions';
import { RestoreTask } from './restore-task';
import { RestoreWorkflow } from './restore-workflow';
import { SchemaRestoreProps } from './schema-restore-props';

/**
 * Restores one tenant's PostgreSQL schemas from the past, side by side, into the live RDS or
 * Aurora database: a Step Functions state machine that restores the database's backup into a
 * temporary copy, copies the schemas from it with pg-schema-restore in a Fargate task (or with
 * AWS DMS), and deletes the copy — also after any failure — keeping an audit record of each restore.
 *
 * Start an execution with `{"database": "tenants", "schemas": ["customer_a1"], "restoreTime": "2024-01-28T14:30:00Z"}`
 * or `{..., "snapshotId": "…"}`, plus optional `suffix`, `engine` and `tables` (`["customer_a1.orders"]`: only
 * those tables, with what they need, through `restore --table`). With `backups`, `{..., "source": "backup"}`
 * restores from the newest TenantBackups backup at or before `restoreTime` (the newest without it), with no temporary database.
 */
export class SchemaRestore extends Construct {
  /** The restore workflow; start one execution per restore. */
  public readonly stateMachine: sfn.StateMachine;
  /** One record per restore (key `restoreId`, the execution name): input, status, error, leftovers. */
  public readonly auditTable: dynamodb.ITable;
  /** Holds the copy task's reports. */
  public readonly artifactBucket: s3.IBucket;
  /** Goes off when an execution fails. */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** The copy task's security group, allowed into the temporary and the live database. */
  public readonly taskSecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: SchemaRestoreProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const subnets = props.vpc.selectSubnets(vpcSubnets);
    const engine = props.copyEngine ?? CopyEngine.COPY;
    const owner = Names.uniqueResourceName(this, { maxLength: 128 });
    const pollInterval = props.pollInterval ?? Duration.minutes(1);
    const temporaryRestoreTimeout = props.temporaryRestoreTimeout ?? Duration.hours(3);

    this.auditTable = props.auditTable ?? this.newAuditTable(props.encryptionKey);
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: props.artifactRetention ?? Duration.days(30) }],
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsBucket ? `pg-schema-restore/${owner}/` : undefined,
    });
    if (!props.accessLogsBucket) {
      acceptFindings(this.artifactBucket.node.defaultChild!, [
        { id: 'AwsSolutions-S1', reason: 'No accessLogsBucket was given: the bucket holds short-lived reports written by the copy task only, and CloudTrail data events audit it if the account enables them.' },
      ]);
    }

    const temporarySecurityGroup = new ec2.SecurityGroup(this, 'TemporaryDatabaseSecurityGroup', {
      vpc: props.vpc, allowAllOutbound: false, description: 'pg-schema-restore temporary databases: reached only by the copy task, DMS and the login check',
    });
    const verifierSecurityGroup = new ec2.SecurityGroup(this, 'LoginCheckSecurityGroup', {
      vpc: props.vpc, description: 'pg-schema-restore login check: reaches the temporary database and Secrets Manager',
    });
    const subnetGroup = new rds.SubnetGroup(this, 'TemporarySubnetGroup', {
      vpc: props.vpc, vpcSubnets, description: 'pg-schema-restore temporary databases', removalPolicy: RemovalPolicy.DESTROY,
    });

    const taskEnvironment: Record<string, string> = {
      PGSR_TARGET_SECRET_ARN: props.secret.secretArn,
      PGSR_ARTIFACT_BUCKET: this.artifactBucket.bucketName,
      ...(props.database.endpointAddress ? { PGSR_TARGET_HOST: props.database.endpointAddress } : {}),
      ...(props.database.endpointPort ? { PGSR_TARGET_PORT: props.database.endpointPort } : {}),
      ...(props.backups ? { PGSR_BACKUP_LOCATION: props.backups.backupsLocation } : {}),
    };
    const task = new RestoreTask(this, 'CopyTask', {
      vpc: props.vpc,
      cpu: props.taskCpu ?? 2048,
      memoryLimitMiB: props.taskMemoryLimitMiB ?? 4096,
      ephemeralStorageGiB: props.taskEphemeralStorageGiB,
      image: props.image,
      logRetention,
      environment: taskEnvironment,
    });
    this.taskSecurityGroup = task.securityGroup;
    const clients: ec2.IConnectable[] = [task.securityGroup, verifierSecurityGroup];
    if (engine === CopyEngine.DMS) {
      const dmsSupport = new DmsSupport(this, 'Dms', { vpc: props.vpc, subnets, secret: props.secret, taskRole: task.taskDefinition.taskRole });
      task.container.addEnvironment('PGSR_DMS_SUBNET_GROUP', dmsSupport.subnetGroup.ref);
      task.container.addEnvironment('PGSR_DMS_ROLE_ARN', dmsSupport.secretsRole.roleArn);
      task.container.addEnvironment('PGSR_DMS_SECURITY_GROUP', dmsSupport.securityGroup.securityGroupId);
      clients.push(dmsSupport.securityGroup);
      props.database.connections.allowDefaultPortFrom(dmsSupport.securityGroup, 'pg-schema-restore DMS writes the restored schemas');
    }
    // A temporary copy listens on its source's port.
    const endpointPort = props.database.endpointPort ?? '5432';
    // Token.asNumber keeps a literal string as it is, which CloudFormation refuses as a port (RestoreDatabase.fromIdentifier).
    const port = ec2.Port.tcp(Token.isUnresolved(endpointPort) ? Token.asNumber(endpointPort) : Number(endpointPort));
    for (const client of clients) temporarySecurityGroup.connections.allowFrom(client, port, 'pg-schema-restore reads the temporary database');
    props.database.connections.allowDefaultPortFrom(task.securityGroup, 'pg-schema-restore copy task writes the restored schemas');

    const functions = new RestoreFunctions(this, 'Functions', {
      environment: {
        AUDIT_TABLE_NAME: this.auditTable.tableName,
        SOURCE_ID: props.database.identifier,
        SECRET_ARN: props.secret.secretArn,
        SUBNET_GROUP_NAME: subnetGroup.subnetGroupName,
        TEMPORARY_SECURITY_GROUP_IDS: temporarySecurityGroup.securityGroupId,
        OWNER: owner,
        DEFAULT_ENGINE: engine,
        DMS_AVAILABLE: String(engine === CopyEngine.DMS),
        ...(props.backups ? { BACKUPS_AVAILABLE: 'true' } : {}),
        ...(props.instanceClass ? { INSTANCE_CLASS: props.instanceClass } : {}),
        ...(props.encryptionKey ? { KMS_KEY_ARN: props.encryptionKey.keyArn } : {}),
      },
      logRetention,
      vpc: props.vpc,
      vpcSubnets,
      verifierSecurityGroup,
    });
    grantRestorePermissions(this, {
      functions,
      taskRole: task.taskDefinition.taskRole,
      database: props.database,
      secret: props.secret,
      auditTable: this.auditTable,
      bucket: this.artifactBucket,
      subnetGroupName: subnetGroup.subnetGroupName,
      owner,
      encryptionKey: props.encryptionKey,
      backups: props.backups,
    });

    const workflow = new RestoreWorkflow(this, 'Workflow', {
      functions,
      task,
      taskSubnets: vpcSubnets,
      pollInterval,
      maxPolls: Math.max(1, Math.ceil(temporaryRestoreTimeout.toSeconds() / pollInterval.toSeconds())),
      copyTimeout: props.copyTimeout ?? Duration.hours(12),
      notificationTopic: props.notificationTopic,
      fromBackups: props.backups !== undefined,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(workflow.definition),
      timeout: props.timeout ?? Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: new logs.LogGroup(this, 'StateMachineLogs', { retention: logRetention }), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acceptFindings(this.stateMachine, [{
      id: 'AwsSolutions-IAM5',
      reason: 'CDK\'s grants to the state machine: X-Ray and log delivery have no resource-level permissions, it invokes any version of its own functions and runs any revision of its own task definition.',
      appliesTo: [/^Resource::\*$/, /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/, /^Resource::arn:.*"Ref":"[A-Za-z0-9]+TaskDefinition[0-9A-F]{8}".*:\*$/],
    }]);
    this.failureAlarm = new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A pg-schema-restore execution failed; its audit record says why and which temporary resources are left',
    });
    if (props.notificationTopic) this.failureAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.notificationTopic));
  }

  private newAuditTable(encryptionKey?: kms.IKey): dynamodb.Table {
    const table = new dynamodb.Table(this, 'AuditTable', {
      partitionKey: { name: 'restoreId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The L2 prop `pointInTimeRecovery` is deprecated and its replacement is newer than our aws-cdk-lib floor; the L1 property is in both.
    (table.node.defaultChild as dynamodb.CfnTable).pointInTimeRecoverySpecification = { pointInTimeRecoveryEnabled: true };
    return table;
  }

  /** Allow a principal to start restores (executions of the state machine). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
