import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { CopyEngine } from '../src';
import { restoreStack } from './support/test-stack';

/** Findings about the test's own database and VPC, not about the construct. */
function suppressFixture(stack: Stack): void {
  NagSuppressions.addResourceSuppressionsByPath(stack, '/TenantDatabase/Vpc/Resource', [
    { id: 'AwsSolutions-VPC7', reason: 'The test VPC only hosts the fixture; flow logs are the application\'s choice.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, '/TenantDatabase/Tenants', [
    { id: 'AwsSolutions-RDS6', reason: 'The fixture database; IAM authentication is the application\'s choice.' },
    { id: 'AwsSolutions-RDS10', reason: 'The fixture database is deleted with the test stack.' },
    { id: 'AwsSolutions-RDS14', reason: 'Backtrack does not exist for Aurora PostgreSQL.' },
    { id: 'AwsSolutions-SMG4', reason: 'The fixture database\'s secret; rotation is the application\'s choice.' },
  ], true);
  NagSuppressions.addResourceSuppressionsByPath(stack, '/TenantDatabase/Outcomes/Resource', [
    { id: 'AwsSolutions-SNS3', reason: 'The fixture topic; its publishers\' transport policy is the application\'s choice.' },
  ]);
}

/** Findings the construct accepts on purpose, each with its reason. */
function suppressAccepted(stack: Stack): void {
  NagSuppressions.addResourceSuppressions(stack.node.findChild('SchemaRestore'), [
    { id: 'AwsSolutions-IAM4', reason: 'The functions use AWSLambdaBasicExecutionRole / AWSLambdaVPCAccessExecutionRole, which only allow writing their own logs and attaching network interfaces.', appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSLambda(Basic|VPCAccess)ExecutionRole$/' }] },
    { id: 'AwsSolutions-IAM5', reason: 'RDS and DMS describe calls name identifiers and snapshots known only at run time.', appliesTo: ['Resource::*', 'Action::dms:Describe*'] },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Temporary databases are named pgsr-<restore id> at run time; creating them needs the owner tag in the request and deleting them needs it on the resource; the snapshot and parameter group a restore reads are chosen at run time.',
      appliesTo: [
        { regex: '/^Resource::arn:<AWS::Partition>:rds:eu-west-1:123456789012:(db|cluster):pgsr-\\*$/' },
        { regex: '/^Resource::arn:<AWS::Partition>:rds:eu-west-1:123456789012:(snapshot|cluster-snapshot|pg|cluster-pg|og):\\*$/' },
      ],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Temporary secrets are named pg-schema-restore/<random> at run time; every grant on them also requires the restore-id tag.',
      appliesTo: [
        { regex: '/^Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore\\/\\*$/' },
      ],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'CDK\'s own grants: the copy task writes report objects under any key of its bucket (s3:Abort* for multipart uploads), the state machine invokes any version of its own functions and runs its own task definition.',
      appliesTo: [
        'Action::s3:Abort*',
        { regex: '/^Resource::<SchemaRestoreArtifacts[0-9A-F]+\\.Arn>\\/\\*$/' },
        { regex: '/^Resource::<SchemaRestoreFunctions[A-Za-z]+[0-9A-F]{8}\\.Arn>:\\*$/' },
        { regex: '/^Resource::arn:.*SchemaRestoreCopyTaskTaskDefinition.*$/' },
      ],
    },
    { id: 'AwsSolutions-S1', reason: 'The artifact bucket holds short-lived reports written by the copy task only; its access is audited by CloudTrail data events if the account wants them.' },
    { id: 'AwsSolutions-ECS2', reason: 'The container environment holds ARNs and names only; logins are read from Secrets Manager at run time.' },
  ], true);
}

describe.each([CopyEngine.COPY, CopyEngine.DMS])('cdk-nag AwsSolutions with the %s engine', (engine) => {
  const { stack } = restoreStack({ copyEngine: engine, withTopic: true });
  suppressFixture(stack);
  suppressAccepted(stack);
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  // Aspects run at synthesis; reading the annotations synthesizes.
  const annotations = Annotations.fromStack(stack);

  test('no unsuppressed errors', () => {
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')).map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  test('no unsuppressed warnings', () => {
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')).map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });
});
