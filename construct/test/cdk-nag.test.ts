import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { CopyEngine } from '../src';
import { backupsStack, restoreStack } from './support/test-stack';

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
  if (stack.node.tryFindChild('DrillDatabase')) {
    NagSuppressions.addResourceSuppressionsByPath(stack, '/TenantDatabase/DrillDatabase', [
      { id: 'AwsSolutions-RDS3', reason: 'The fixture drill database holds drill copies only; Multi-AZ is the application\'s choice.' },
      { id: 'AwsSolutions-RDS10', reason: 'The fixture database is deleted with the test stack.' },
      { id: 'AwsSolutions-RDS11', reason: 'The fixture database listens on the default port; that is the application\'s choice.' },
      { id: 'AwsSolutions-SMG4', reason: 'The fixture database\'s secret; rotation is the application\'s choice.' },
    ], true);
  }
}

/** The stacks checked: each construct with every resource it can add. */
const STACKS: Array<[string, () => Stack]> = [
  ['SchemaRestore with the copy engine', () => restoreStack({ copyEngine: CopyEngine.COPY, withTopic: true }).stack],
  ['SchemaRestore with the dms engine', () => restoreStack({ copyEngine: CopyEngine.DMS, withTopic: true }).stack],
  ['TenantBackups with a drill and a topic', () => backupsStack().stack],
];

// The construct carries its own accepted findings (src/accepted-findings.ts): only the fixture's are suppressed here.
describe.each(STACKS)('cdk-nag 2 AwsSolutions at the aws-cdk-lib floor: %s', (_name, build) => {
  const stack = build();
  suppressFixture(stack);
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

describe('cdk-nag 2 AwsSolutions at the aws-cdk-lib floor with backups (a TenantBackups)', () => {
  const { stack } = restoreStack({ withTopic: true, withBackups: true });
  suppressFixture(stack);
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  // TenantBackups' own findings are its tests' business; these are SchemaRestore's, the read grant on the backups included.
  const ofSchemaRestore = (found: Array<{ id: string; entry: { data?: unknown } }>) => found.filter((e) => e.id.startsWith('/TenantDatabase/SchemaRestore/'))
    .map((e) => `${e.id}: ${String(e.entry.data)}`);

  test('no unsuppressed errors or warnings on SchemaRestore', () => {
    expect(ofSchemaRestore(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
    expect(ofSchemaRestore(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });
});
