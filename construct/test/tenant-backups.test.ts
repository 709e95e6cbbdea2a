import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BackupAccessLogging, RestoreDatabase, TenantBackups, TenantBackupsProps } from '../src';
import { backupsStack, databaseStack } from './support/test-stack';

/** An IAM policy statement as synthesized. */
interface StatementJson {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of the policies attached to the roles whose logical id matches `role`. */
function statementsOf(template: Template, role: RegExp): StatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => role.test(r.Ref)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as StatementJson[]);
}

const actionsOf = (statements: StatementJson[]) => statements.flatMap((s) => [s.Action].flat()).sort();

/** The single container of the task definition whose logical id matches `task`. */
function containerOf(template: Template, task: RegExp): { EntryPoint: string[]; Environment: Array<{ Name: string; Value: unknown }> } {
  const [definition] = Object.entries(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => task.test(id)).map(([, r]) => r);
  return definition.Properties.ContainerDefinitions[0];
}

function environmentOf(template: Template, task: RegExp): Record<string, unknown> {
  return Object.fromEntries(containerOf(template, task).Environment.map((e) => [e.Name, e.Value]));
}

/** A TenantBackups without a drill in the stack of {@link databaseStack}; `vpc` defaults to the stack's VPC. */
function backupsStackOn(stack: Stack, vpc: ec2.IVpc | undefined, props: Partial<TenantBackupsProps>): Stack {
  const cluster = stack.node.findChild('Tenants') as rds.DatabaseCluster;
  new TenantBackups(stack, 'Backups', {
    database: RestoreDatabase.fromCluster(cluster),
    secret: cluster.secret!,
    databaseName: 'tenants',
    vpc: vpc ?? stack.node.findChild('Vpc') as ec2.Vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/pg-schema-restore:test'),
    ...props,
  });
  return stack;
}

const objectsUnder = (folder: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsBucket'), 'Arn'] }, `/${folder}*`]] });

describe('TenantBackups with a bucket of its own, a drill and a topic', () => {
  const { stack } = backupsStack();
  const template = Template.fromStack(stack);

  test('the bucket and its key survive cdk destroy; the key rotates', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('the bucket is SSE-KMS with its key, blocks public access, and has the retention lifecycle rule', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsKey'), 'Arn'] } } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ Id: 'pg-schema-restore-retention', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, ExpiredObjectDeleteMarker: true }] },
    });
  });

  test('the bucket policy refuses every request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^BackupsBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the backup task reads, writes and deletes only under backups/, lists only that prefix, uses the key only through S3', () => {
    const statements = statementsOf(template, /^BackupsTasksBackupTaskDefinitionTaskRole/);
    expect(actionsOf(statements)).toEqual([
      'cloudwatch:PutMetricData', 'kms:Decrypt', 'kms:GenerateDataKey', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject',
      'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue',
    ]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['backups/*'] } } }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }),
      expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'PgSchemaRestore' } } }),
      expect.objectContaining({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: expect.stringMatching(/^TenantsSecretAttachment/) } }),
    ]));
    for (const statement of statements.filter((s) => [s.Action].flat().some((a) => /^s3:(Get|Put|Delete|Abort)/.test(a)))) {
      expect(JSON.stringify(statement.Resource)).toMatch(/"\/backups\/\*"/);
    }
  });

  test('the drill task reads backups/, writes only drills/, deletes nothing, and reads only the drill database\'s secret', () => {
    const statements = statementsOf(template, /^BackupsTasksDrillTaskDefinitionTaskRole/);
    expect(actionsOf(statements)).not.toContain('s3:DeleteObject');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^BackupsTasksDrillTaskDefinitionTaskRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:GetObject', Resource: objectsUnder('backups/') }),
          Match.objectLike({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objectsUnder('drills/') }),
          Match.objectLike({ Resource: { Ref: Match.stringLikeRegexp('^DrillDatabaseSecretAttachment') } }),
        ]),
      },
    });
    expect(JSON.stringify(statements)).not.toMatch(/TenantsSecretAttachment/);
  });

  test('the tasks run the image\'s backup and drill programs with the contract\'s settings and no password', () => {
    expect(containerOf(template, /^BackupsTasksBackupTaskDefinition/).EntryPoint).toEqual(['node', '/opt/pg-schema-restore/backup-task.js']);
    expect(containerOf(template, /^BackupsTasksDrillTaskDefinition/).EntryPoint).toEqual(['node', '/opt/pg-schema-restore/drill-task.js']);
    const backup = environmentOf(template, /^BackupsTasksBackupTaskDefinition/);
    expect(backup).toMatchObject({
      PGSR_DATABASE_NAME: 'tenants',
      PGSR_BACKUP_LOCATION: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^BackupsBucket/) }, '/backups/']] },
      PGSR_RETENTION: '{"keepDaily":7,"keepWeekly":4,"keepMonthly":12}',
      PGSR_METRICS_NAMESPACE: 'PgSchemaRestore',
      PGSR_BACKUP_SET: 'TenantDatabaseBackups444B08E6',
    });
    expect(Object.keys(backup).filter((name) => name.startsWith('PGSR_DRILL_'))).toEqual([]);
    const drill = environmentOf(template, /^BackupsTasksDrillTaskDefinition/);
    expect(drill).toMatchObject({
      PGSR_DRILL_DATABASE: 'drill',
      PGSR_DRILL_MAX_AGE_HOURS: '25',
      PGSR_DRILL_LOCATION: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^BackupsBucket/) }, '/drills/']] },
    });
    // The drill never sees the live database's login.
    expect(Object.keys(drill).filter((name) => /^PGSR_DATABASE_(SECRET_ARN|HOST|PORT)$/.test(name))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::ECS::TaskDefinition'))).not.toMatch(/PASSWORD/i);
  });

  test('EventBridge Scheduler starts the backup nightly at 02:00 UTC and the drill monthly, with a role that may only run these tasks', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ TaskDefinitionArn: { Ref: Match.stringLikeRegexp('^BackupsTasksBackupTaskDefinition') }, LaunchType: 'FARGATE' }) }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 1 * ? *)',
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ TaskDefinitionArn: { Ref: Match.stringLikeRegexp('^BackupsTasksDrillTaskDefinition') } }) }),
    });
    const statements = statementsOf(template, /^BackupsSchedulesRole/);
    expect(actionsOf(statements)).toEqual(['ecs:RunTask', 'ecs:RunTask', 'iam:PassRole', 'iam:PassRole']);
    for (const s of statements.filter((st) => st.Action === 'ecs:RunTask')) {
      expect(s.Resource).toEqual({ Ref: expect.stringMatching(/^BackupsTasks(Backup|Drill)TaskDefinition/) });
      expect(s.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^BackupsTasksBackupCluster/), 'Arn'] } } });
    }
    for (const s of statements.filter((st) => st.Action === 'iam:PassRole')) expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  test('the backup task reaches the live database; only the drill task reaches the drill database', () => {
    const sources = (target: RegExp) => Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => target.test(JSON.stringify(r.Properties.GroupId)))
      .map((r) => JSON.stringify(r.Properties.SourceSecurityGroupId));
    expect(sources(/TenantsSecurityGroup/).filter((s) => s.includes('BackupsTasks'))).toEqual([expect.stringMatching(/BackupsTasksBackupSecurityGroup/)]);
    expect(sources(/DrillDatabaseSecurityGroup/)).toEqual([expect.stringMatching(/BackupsTasksDrillSecurityGroup/)]);
  });

  test.each([
    ['NoRecentBackup', { MetricName: 'BackupSucceeded', Statistic: 'Sum', ComparisonOperator: 'LessThanThreshold', Threshold: 1, EvaluationPeriods: 25, DatapointsToAlarm: 25, TreatMissingData: 'breaching' }],
    ['BackupFailed', { MetricName: 'BackupFailed', Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 1 }],
    ['BackupShrank', { MetricName: 'BackupSizeRatio', Statistic: 'Minimum', ComparisonOperator: 'LessThanThreshold', Threshold: 0.5 }],
    ['DrillFailed', { MetricName: 'DrillFailed', Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 }],
  ])('the %s alarm watches the contract\'s metric of this backup set, in 1-hour periods, and tells the topic', (id, properties) => {
    const [alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) => logicalId.startsWith(`BackupsAlarms${id}`)).map(([, r]) => r);
    expect(alarm.Properties).toMatchObject({
      ...properties,
      Namespace: 'PgSchemaRestore',
      Period: 3600,
      Dimensions: [{ Name: 'BackupSet', Value: 'TenantDatabaseBackups444B08E6' }, { Name: 'Database', Value: 'tenants' }],
      AlarmActions: [{ Ref: expect.stringMatching(/^Outcomes/) }],
    });
  });

  test('a backup or drill task that stops with a non-zero exit code is sent to the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': {
          lastStatus: ['STOPPED'],
          taskDefinitionArn: [{ Ref: Match.stringLikeRegexp('^BackupsTasksBackupTaskDefinition') }, { Ref: Match.stringLikeRegexp('^BackupsTasksDrillTaskDefinition') }],
          containers: { exitCode: [{ 'anything-but': 0 }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Outcomes') } })],
    });
  });

  test('its accepted cdk-nag findings carry their reasons in the template', () => {
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(bucket.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-S1', reason: expect.stringMatching(/accessLogging/) })]);
    const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('BackupsTasksBackupTaskDefinitionTaskRole')).map(([, r]) => r);
    expect(role.Metadata.cdk_nag.rules_to_suppress.map((r: { reason: string }) => r.reason)).toEqual([expect.stringMatching(/namespace/), expect.stringMatching(/own folders/)]);
  });
});

describe('TenantBackups options', () => {
  const synth = (overrides: Partial<TenantBackupsProps>) => Template.fromStack(backupsStack(overrides).stack);

  test('without a drill: one task, one schedule, no drill alarm', () => {
    const template = synth({ drill: undefined, notificationTopic: undefined });
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).map((id) => id.replace(/^BackupsAlarms|[0-9A-F]{8}$/g, '')).sort()).toEqual(['BackupFailed', 'BackupShrank', 'NoRecentBackup']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BackupSucceeded', AlarmActions: Match.absent() });
  });

  test('a prefix, schemas, retention, jobs, schedules, ages and a drill sample reach the template', () => {
    const template = synth({
      prefix: 'tenants/',
      schemas: ['customer_a1', 'customer_a2'],
      backupJobs: 4,
      retention: { keepLast: 3, keepDaily: 0 },
      schedule: events.Schedule.cron({ minute: '30', hour: '23' }),
      maxBackupAge: Duration.hours(49),
      shrinkAlarmPercent: 30,
    });
    const backup = environmentOf(template, /^BackupsTasksBackupTaskDefinition/);
    expect(backup).toMatchObject({
      PGSR_BACKUP_LOCATION: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^BackupsBucket/) }, '/tenants/backups/']] },
      PGSR_BACKUP_SCHEMAS: '["customer_a1","customer_a2"]',
      PGSR_BACKUP_JOBS: '4',
      PGSR_RETENTION: '{"keepDaily":0,"keepWeekly":4,"keepMonthly":12,"keepLast":3}',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 23 * * ? *)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BackupSucceeded', EvaluationPeriods: 49, DatapointsToAlarm: 49 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BackupSizeRatio', Threshold: 0.7 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^BackupsTasksBackupTaskDefinitionTaskRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['tenants/backups/*'] } } }),
          Match.objectLike({ Action: 's3:DeleteObject', Resource: objectsUnder('tenants/backups/') }),
        ]),
      },
    });
    // The drill's RPO defaults to the alarm's maximum age.
    expect(environmentOf(template, /^BackupsTasksDrillTaskDefinition/)).toMatchObject({ PGSR_DRILL_MAX_AGE_HOURS: '49' });
  });

  test('the drill\'s schedule, sample or schemas, maximum backup age and disk', () => {
    const sampled = Template.fromStack(backupsStack({}, {
      sample: 3, maxBackupAge: Duration.hours(30), schedule: events.Schedule.cron({ minute: '0', hour: '5', weekDay: 'SUN' }), ephemeralStorageGiB: 50,
    }).stack);
    sampled.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: Match.stringLikeRegexp('Drill'), EphemeralStorage: { SizeInGiB: 50 } });
    sampled.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: Match.stringLikeRegexp('TasksBackup'), EphemeralStorage: Match.absent() });
    expect(environmentOf(sampled, /^BackupsTasksDrillTaskDefinition/)).toMatchObject({ PGSR_DRILL_SAMPLE: '3', PGSR_DRILL_MAX_AGE_HOURS: '30' });
    expect(environmentOf(sampled, /^BackupsTasksDrillTaskDefinition/)).not.toHaveProperty('PGSR_DRILL_SCHEMAS');
    sampled.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 5 ? * SUN *)' });
    const named = Template.fromStack(backupsStack({}, { schemas: ['customer_a1'] }).stack);
    expect(environmentOf(named, /^BackupsTasksDrillTaskDefinition/)).toMatchObject({ PGSR_DRILL_SCHEMAS: '["customer_a1"]' });
  });

  test('removalPolicy DESTROY applies to the bucket and its new key', () => {
    const template = synth({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test.each([
    ['a prefix without a trailing slash', { prefix: 'tenants' }, /prefix must end with '\/'/],
    ['a prefix with a leading slash', { prefix: '/tenants/' }, /prefix must end with '\/' and not start with one/],
    ['a maximum backup age of 90 minutes', { maxBackupAge: Duration.minutes(90) }, /maxBackupAge must be whole hours between 1 and 168/],
    ['a maximum backup age of 8 days', { maxBackupAge: Duration.days(8) }, /maxBackupAge must be whole hours between 1 and 168/],
    ['a shrink alarm at 100%', { shrinkAlarmPercent: 100 }, /shrinkAlarmPercent must be between 0 and 100/],
    ['a negative retention count', { retention: { keepDaily: -1 } }, /retention.keepDaily must be a whole number/],
    ['a retention that keeps nothing', { retention: { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 } }, /retention keeps nothing/],
    ['an empty schema list', { schemas: [] }, /schemas is empty/],
  ])('refuses %s at synth time', (_label, overrides, message) => {
    expect(() => backupsStack(overrides as Partial<TenantBackupsProps>)).toThrow(message);
  });

  test('refuses a drill with both schemas and a sample, or a sample below 1', () => {
    expect(() => backupsStack({}, { schemas: ['customer_a1'], sample: 2 })).toThrow(/schemas or sample, not both/);
    expect(() => backupsStack({}, { sample: 0 })).toThrow(/drill.sample must be a whole number/);
  });
});

describe('TenantBackups with an existing bucket', () => {
  test('uses it as it is: no bucket or key of its own, its name in the locations, no key settings without a key', () => {
    const { stack, vpc } = databaseStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'company-backups');
    const template = Template.fromStack(backupsStackOn(stack, vpc, { bucket, prefix: 'pgsr/' }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const backup = environmentOf(template, /^BackupsTasksBackupTaskDefinition/);
    expect(backup).toMatchObject({ PGSR_BACKUP_LOCATION: 's3://company-backups/pgsr/backups/' });
    expect(backup).not.toHaveProperty('PGSR_BACKUP_KMS_KEY_ARN');
    expect(actionsOf(statementsOf(template, /^BackupsTasksBackupTaskDefinitionTaskRole/)).filter((a) => a.startsWith('kms:'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^BackupsTasksBackupTaskDefinitionTaskRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:DeleteObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::company-backups/pgsr/backups/*']] } })]) },
    });
  });

  test('with a given key: SSE-KMS settings and key use through S3 for that key', () => {
    const { stack, vpc } = databaseStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'company-backups');
    const key = kms.Key.fromKeyArn(stack, 'ExistingKey', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const template = Template.fromStack(backupsStackOn(stack, vpc, { bucket, encryptionKey: key }));
    expect(environmentOf(template, /^BackupsTasksBackupTaskDefinition/)).toMatchObject({ PGSR_BACKUP_KMS_KEY_ARN: key.keyArn });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^BackupsTasksBackupTaskDefinitionTaskRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key.keyArn })]) },
    });
  });
});

describe('TenantBackups access logging', () => {
  test('server access logs into the given bucket, under the given prefix', () => {
    const { stack } = databaseStack();
    const logs = new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true });
    const template = Template.fromStack(backupsStackOn(stack, undefined, { accessLogging: BackupAccessLogging.toBucket(logs, 'tenant-backups/') }));
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') }, LogFilePrefix: 'tenant-backups/' } });
    const [bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('BackupsBucket')).map(([, r]) => r);
    expect(bucket.Metadata?.cdk_nag).toBeUndefined();
  });

  test('CloudTrail data events on the given trail for the construct\'s prefix', () => {
    const { stack } = databaseStack();
    const trail = new cloudtrail.Trail(stack, 'Trail');
    const template = Template.fromStack(backupsStackOn(stack, undefined, { prefix: 'pgsr/', accessLogging: BackupAccessLogging.cloudTrailDataEvents(trail) }));
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EventSelectors: [Match.objectLike({
        ReadWriteType: 'All',
        DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsBucket'), 'Arn'] }, '/pgsr/']] }] }],
      })],
    });
    const [bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('BackupsBucket')).map(([, r]) => r);
    expect(bucket.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-S1', reason: expect.stringMatching(/CloudTrail data events/) })]);
  });

  test('none, with the reason recorded for cdk-nag; an empty reason is refused', () => {
    const { stack } = databaseStack();
    const template = Template.fromStack(backupsStackOn(stack, undefined, { accessLogging: BackupAccessLogging.none('The organization trail records S3 data events.') }));
    const [bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('BackupsBucket')).map(([, r]) => r);
    expect(bucket.Metadata.cdk_nag.rules_to_suppress).toEqual([{ id: 'AwsSolutions-S1', reason: 'The organization trail records S3 data events.' }]);
    expect(() => BackupAccessLogging.none(' ')).toThrow(/needs a reason/);
  });
});

describe('TenantBackups metrics', () => {
  test('metric(): the contract\'s namespace and dimensions, with the caller\'s statistic and period', () => {
    const { stack, backups } = backupsStack();
    const metric = backups.metric('DrillRto', { statistic: 'Maximum', period: Duration.days(1) });
    expect(metric.namespace).toBe('PgSchemaRestore');
    expect(metric.metricName).toBe('DrillRto');
    expect(metric.statistic).toBe('Maximum');
    expect(metric.period.toSeconds()).toBe(86400);
    expect(stack.resolve(metric.dimensions)).toEqual({ BackupSet: stack.resolve(backups.backupSet), Database: 'tenants' });
  });
});

describe('TenantBackups grants', () => {
  test('grantRead: the whole prefix and the key; grantRestore: only the backups', () => {
    const { stack, backups } = backupsStack({ prefix: 'pgsr/' });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const restorer = new iam.Role(stack, 'Restorer', { assumedBy: new iam.AccountRootPrincipal() });
    backups.grantRead(reader);
    backups.grantRestore(restorer);
    const template = Template.fromStack(stack);
    const objectResources = (role: RegExp) => statementsOf(template, role).filter((s) => [s.Action].flat().includes('s3:GetObject*')).map((s) => JSON.stringify(s.Resource));
    expect(objectResources(/^Reader/).join()).toMatch(/\/pgsr\/\*"/);
    expect(objectResources(/^Restorer/).join()).toMatch(/\/pgsr\/backups\/\*"/);
    expect(objectResources(/^Restorer/).join()).not.toMatch(/\/pgsr\/\*"/);
    for (const role of [/^Reader/, /^Restorer/]) expect(actionsOf(statementsOf(template, role))).toContain('kms:Decrypt');
  });
});
