import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SCHEMA_RESTORE_VARIANTS, schemaRestoreStack, SchemaRestoreStack } from '../support/schema-restore-stack';

/** The user's own resources' findings, which the user acknowledges in their app as they see fit. */
function acknowledgeFixture({ fixture }: SchemaRestoreStack): void {
  Validations.of(fixture.vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'The test VPC hosts the fixture only.' });
  Validations.of(fixture.cluster).acknowledge(
    { id: 'AwsSolutions-RDS6', reason: 'The fixture database; IAM authentication is the application\'s choice.' },
    { id: 'AwsSolutions-RDS10', reason: 'The fixture database is deleted with the test stack.' },
    { id: 'AwsSolutions-SMG4', reason: 'The fixture database\'s secret; rotation is the application\'s choice.' },
  );
}

/** Each violation as `rule path`, for readable failures. */
function violations(scope: SchemaRestoreStack['app']): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`));
}

describe.each(SCHEMA_RESTORE_VARIANTS)('SchemaRestore ($copyEngine engine, all options: $withOptions) with the newest aws-cdk-lib', (variant) => {
  let built: SchemaRestoreStack;
  const deprecationWarnings: string[] = [];

  beforeAll(() => {
    // aws-cdk-lib prints a deprecated API's use once, while the construct is built.
    const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      deprecationWarnings.push(args.join(' '));
    });
    try {
      built = schemaRestoreStack(variant);
    } finally {
      warn.mockRestore();
    }
  });

  test('uses no deprecated API: nothing printed while building, no deprecation annotation at synthesis', () => {
    expect(deprecationWarnings.filter((w) => /deprecated/i.test(w))).toEqual([]);
    const annotations = Annotations.fromStack(built.stack);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('deprecated')).map((w) => `${w.id}: ${w.entry.data}`)).toEqual([]);
  });

  test('cdk-nag 3 AwsSolutions reports no error and no warning on the construct\'s resources', () => {
    const ours = violations(built.app).filter((v) => v.includes(`${built.restore.node.path}/`));
    expect(ours).toEqual([]);
    // The checks did run: the user's fixture, not yet acknowledged, has findings.
    expect(violations(built.app)).toEqual(expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-VPC7 TenantDatabase\/Vpc\/Resource$/)]));
  });

  test('an app with the cdk-nag 3 plugin fails to synthesize on the user\'s unacknowledged findings, naming none of the construct\'s resources', () => {
    const fresh = schemaRestoreStack(variant);
    Validations.of(fresh.app).addPlugins(new AwsSolutionsChecks(fresh.app));
    const failure = (() => {
      try {
        fresh.app.synth();
        return '';
      } catch (err) {
        return String(err);
      }
    })();
    expect(failure).toMatch(/AwsSolutions-VPC7/);
    expect(failure).not.toMatch(/SchemaRestore\//);
  });

  test('an app with the cdk-nag 3 plugin synthesizes once the user acknowledges their own resources\' findings', () => {
    // A new app: the one above has synthesized already, and an app synthesizes (and validates) once.
    const fresh = schemaRestoreStack(variant);
    acknowledgeFixture(fresh);
    Validations.of(fresh.app).addPlugins(new AwsSolutionsChecks(fresh.app));
    expect(fresh.app.synth().getStackByName('TenantDatabase').template.Resources).toBeDefined();
  });
});

describe('SchemaRestore with backups (a TenantBackups) with the newest aws-cdk-lib', () => {
  test('cdk-nag 3 AwsSolutions reports no error and no warning on the construct\'s resources, the read grant on the backups included', () => {
    const built = schemaRestoreStack({ copyEngine: SCHEMA_RESTORE_VARIANTS[0].copyEngine, withOptions: true, withBackups: true });
    // The construct's acknowledgments are attached when the app synthesizes.
    built.app.synth();
    const ours = violations(built.app).filter((v) => v.includes(`${built.restore.node.path}/`));
    expect(ours).toEqual([]);
    // The grant is there to be checked: the copy task's policy reads the backups folder.
    const taskRole = (built.restore.node.findChild('CopyTask').node.findChild('TaskDefinition') as ecs.TaskDefinition).taskRole;
    expect(JSON.stringify(built.stack.resolve((taskRole.node.findChild('DefaultPolicy') as iam.Policy).document))).toContain('/team-a/backups/*');
  });
});
