import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CopyEngine, RestoreDatabase } from '../src';
import { restoreStack, stateMachineDefinition } from './support/test-stack';

const OWNER_TAG = 'pg-schema-restore:owner';

/** An IAM policy statement as synthesized. */
interface StatementJson {
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

describe('SchemaRestore', () => {
  const { stack } = restoreStack({ withTopic: true });
  const template = Template.fromStack(stack);

  test('creates the state machine, with logging, tracing and an alarm on failed executions', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL' },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed', Namespace: 'AWS/States', Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp('Outcomes') }],
    });
  });

  test('bundled handlers run on Node.js 22, loaded from the package\'s assets', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
    expect(Object.keys(functions)).toHaveLength(7);
    for (const fn of Object.values(functions)) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  test('audit table has point-in-time recovery and the restoreId key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'restoreId', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('artifact bucket is encrypted, refuses plain HTTP and expires its objects', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('container insights are on for the copy task\'s cluster', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('the construct\'s accepted cdk-nag findings are in its resources\' template metadata, with their reasons', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets[0].Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-S1', reason: expect.stringMatching(/accessLogsBucket/) })]);
  });

  test('the copy task is a Fargate task of the packaged image\'s kind with its logs', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '2048',
      Memory: '4096',
      ContainerDefinitions: [Match.objectLike({ LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) })],
    });
  });

  test('temporary databases are reached only by the copy task and the login check', () => {
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TemporaryDatabaseSecurityGroup'), 'GroupId'] } },
    });
    const sources = Object.values(ingress).map((r) => JSON.stringify(r.Properties.SourceSecurityGroupId)).sort();
    expect(sources).toEqual([expect.stringMatching(/CopyTaskSecurityGroup/), expect.stringMatching(/LoginCheckSecurityGroup/)].sort());
    // A temporary copy listens on the source cluster's port.
    const clusterPort = { 'Fn::GetAtt': [expect.stringMatching(/^Tenants/), 'Endpoint.Port'] };
    for (const rule of Object.values(ingress)) expect(rule.Properties).toMatchObject({ FromPort: clusterPort, ToPort: clusterPort, IpProtocol: 'tcp' });
  });

  test('the live database lets the copy task in', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TenantsSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('CopyTaskSecurityGroup'), 'GroupId'] },
    });
  });

  test('temporary databases are created only with this construct\'s owner tag and deleted only when they carry it', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as StatementJson[]);
    const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    for (const action of ['rds:RestoreDBClusterToPointInTime', 'rds:RestoreDBClusterFromSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:CreateDBInstance']) {
      const granted = withAction(action);
      expect(granted.length).toBeGreaterThan(0);
      for (const s of granted) expect(s.Condition?.StringEquals?.[`aws:RequestTag/${OWNER_TAG}`]).toBeDefined();
    }
    for (const action of ['rds:DeleteDBInstance', 'rds:DeleteDBCluster']) {
      const granted = withAction(action);
      expect(granted.length).toBeGreaterThan(0);
      for (const s of granted) expect(s.Condition?.StringEquals?.[`aws:ResourceTag/${OWNER_TAG}`]).toBeDefined();
    }
    for (const s of withAction('secretsmanager:DeleteSecret')) {
      expect(s.Condition?.Null?.['secretsmanager:ResourceTag/pg-schema-restore:restore-id']).toBe('false');
    }
  });

  test('every task state is caught into the one cleanup branch', () => {
    const definition = stateMachineDefinition(template);
    // After the final audit status nothing is caught: a restore recorded as SUCCEEDED must not be recorded FAILED.
    const afterOutcome = ['CleanupAfterFailure', 'RecordFailure', 'NotifyFailure', 'RecordSuccess', 'NotifySuccess'];
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task' || s.Type === 'Map');
    expect(tasks.length).toBeGreaterThanOrEqual(9);
    for (const [name, state] of tasks) {
      if (afterOutcome.includes(name)) continue;
      expect({ name, catch: state.Catch }).toEqual({ name, catch: [expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'CleanupAfterFailure' })] });
    }
    expect(definition.States.TemporaryRestoreTimedOut.Next).toBe('CleanupAfterFailure');
    expect(definition.States.CleanupAfterFailure.Catch?.[0].Next).toBe('RecordFailure');
    expect(definition.States.RecordFailure.Next).toBe('NotifyFailure');
    expect(definition.States.NotifyFailure.Next).toBe('RestoreFailed');
  });

  test('the input is validated and audited first; the wait loop is bounded', () => {
    const definition = stateMachineDefinition(template);
    expect(definition.StartAt).toBe('ValidateInput');
    expect(definition.States.ValidateInput.Parameters).toEqual({ 'restoreId.$': '$$.Execution.Name', 'input.$': '$$.Execution.Input' });
    expect(definition.States.IsTemporaryAvailable.Choices).toContainEqual(expect.objectContaining({ Variable: '$.temporary.wait.polls', NumericGreaterThanEquals: 180, Next: 'TemporaryRestoreTimedOut' }));
  });

  test('grantStartExecution allows states:StartExecution on the state machine', () => {
    const { stack: grantStack, restore } = restoreStack();
    const role = new iam.Role(grantStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    restore.grantStartExecution(role);
    Template.fromStack(grantStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Operator') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('StateMachine') } })] },
    });
  });
});

describe('SchemaRestore with an access logs bucket', () => {
  const template = Template.fromStack(restoreStack({ withAccessLogs: true }).stack);

  test('the artifact bucket logs its access there and accepts no AwsSolutions-S1 finding', () => {
    const logged = template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') } } } });
    expect(Object.keys(logged)).toHaveLength(1);
    expect(Object.values(logged)[0].Metadata?.cdk_nag).toBeUndefined();
  });
});

describe('SchemaRestore with the DMS engine', () => {
  const template = Template.fromStack(restoreStack({ copyEngine: CopyEngine.DMS }).stack);

  test('adds a replication subnet group and a role DMS reads the secrets with', () => {
    template.resourceCountIs('AWS::DMS::ReplicationSubnetGroup', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'dms.eu-west-1.amazonaws.com' } })] },
    });
  });

  test('copies each schema in a Map iteration caught into cleanup', () => {
    const definition = stateMachineDefinition(template);
    const map = definition.States.CopyEachSchemaWithDms;
    expect(map.Type).toBe('Map');
    expect(map.Catch?.[0].Next).toBe('CleanupAfterFailure');
    expect(Object.keys(map.ItemProcessor!.States)).toEqual(['CopyWithDms']);
  });
});

describe('SchemaRestore for a database known only by its identifier', () => {
  test('synthesizes, with numeric ports on the temporary database\'s ingress rules', () => {
    const { stack } = restoreStack({ database: RestoreDatabase.fromIdentifier('tenants-prod', { port: 5433 }) });
    const ingress = Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TemporaryDatabaseSecurityGroup'), 'GroupId'] } },
    });
    expect(Object.values(ingress).length).toBeGreaterThan(0);
    for (const rule of Object.values(ingress)) expect(rule.Properties).toMatchObject({ FromPort: 5433, ToPort: 5433, IpProtocol: 'tcp' });
  });
});

describe('SchemaRestore with backups (a TenantBackups)', () => {
  const { stack, restore } = restoreStack({ withBackups: true });
  const template = Template.fromStack(stack);
  const taskRole = (restore.node.findChild('CopyTask').node.findChild('TaskDefinition') as unknown as { taskRole: iam.IRole }).taskRole;
  const taskPolicies = () => Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.resolve((taskRole.node.defaultChild as iam.CfnRole).logicalId) }] },
  }));
  const taskStatements = () => taskPolicies().flatMap((p) => p.Properties.PolicyDocument.Statement as Array<StatementJson & { Resource: unknown }>);

  test('the copy task may list and read the backups folder of the backups bucket, and decrypt with its key', () => {
    const reads = taskStatements().filter((s) => [s.Action].flat().includes('s3:GetObject*'));
    const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^BackupsBucket/), 'Arn'] };
    expect(reads).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['s3:GetObject*', 's3:List*']),
      Resource: expect.arrayContaining([bucketArn, { 'Fn::Join': ['', [bucketArn, '/team-a/backups/*']] }]),
    }));
    // Nothing else of that bucket: not its drill reports, not the whole prefix.
    const backupObjects = reads.flatMap((s) => [s.Resource].flat()).filter((r) => JSON.stringify(r).includes('BackupsBucket') && JSON.stringify(r).includes('/'));
    expect(backupObjects.map((r) => JSON.stringify(r))).toEqual([expect.stringContaining('/team-a/backups/*')]);
    expect(taskStatements()).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BackupsKey/), 'Arn'] },
    }));
  });

  test('the container says where the backups are; the functions know backups are deployed', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([{ Name: 'PGSR_BACKUP_LOCATION', Value: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^BackupsBucket') }, '/team-a/backups/']] } }]),
      })],
    });
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
    for (const fn of Object.values(functions)) expect(fn.Properties.Environment.Variables.BACKUPS_AVAILABLE).toBe('true');
  });

  test('after ValidateInput a Choice on the source: "backup" runs CopyFromBackup (caught into cleanup) then Cleanup', () => {
    const definition = stateMachineDefinition(template);
    expect(definition.States.ValidateInput.Next).toBe('ChooseSource');
    expect(definition.States.ChooseSource.Choices).toEqual([expect.objectContaining({ Variable: '$.request.source', StringEquals: 'backup', Next: 'CopyFromBackup' })]);
    expect(definition.States.ChooseSource.Default).toBe('DetectSource');
    expect(definition.States.CopyFromBackup).toMatchObject({ Type: 'Task', Next: 'Cleanup', Catch: [expect.objectContaining({ Next: 'CleanupAfterFailure' })] });
    const overrides = JSON.stringify(definition.States.CopyFromBackup.Parameters);
    expect(overrides).not.toContain('PGSR_SOURCE_SECRET_ARN');
  });

  test('the copy task\'s disk is sized by taskEphemeralStorageGiB (a restore from backups loads the tenant into a throwaway server there)', () => {
    const sized = Template.fromStack(restoreStack({ withBackups: true, taskEphemeralStorageGiB: 100 }).stack);
    sized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      EphemeralStorage: { SizeInGiB: 100 },
      ContainerDefinitions: [Match.objectLike({ Name: 'restore' })],
    });
  });

  test('without backups the functions are not told backups exist and the task has no backup location', () => {
    const plain = Template.fromStack(restoreStack().stack);
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/BACKUPS_AVAILABLE|PGSR_BACKUP_LOCATION|ChooseSource/);
  });
});
