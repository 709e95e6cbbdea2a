import { Duration, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RestoreDatabase } from '../../construct/src/restore-database';
import { TenantBackups } from '../../construct/src/tenant-backups';
import { BackupDrillOptions } from '../../construct/src/tenant-backups-props';
import { tenantDatabaseStack } from '../support/schema-restore-stack';

/** The issue 15 contract: what both the backup and the drill task definitions set (the optional ones given here). */
const SHARED = ['PGSR_DATABASE_NAME', 'PGSR_BACKUP_LOCATION', 'PGSR_BACKUP_KMS_KEY_ARN', 'PGSR_METRICS_NAMESPACE', 'PGSR_BACKUP_SET'];
/** What only the backup task definition sets: the live database's login among them. */
const BACKUP_ONLY = ['PGSR_DATABASE_SECRET_ARN', 'PGSR_DATABASE_HOST', 'PGSR_DATABASE_PORT', 'PGSR_BACKUP_SCHEMAS', 'PGSR_BACKUP_JOBS', 'PGSR_RETENTION'];
/** What only the drill task definition sets. */
const DRILL_ONLY = ['PGSR_DRILL_LOCATION', 'PGSR_DRILL_SECRET_ARN', 'PGSR_DRILL_DATABASE', 'PGSR_DRILL_HOST', 'PGSR_DRILL_PORT', 'PGSR_DRILL_MAX_AGE_HOURS'];

/** A user's stack with the newest aws-cdk-lib: Aurora cluster, a drill instance, a topic and TenantBackups with the image built from its asset. */
function backupsApp(drill: Partial<BackupDrillOptions> = {}) {
  const { app, stack, vpc, cluster } = tenantDatabaseStack();
  const drillInstance = new rds.DatabaseInstance(stack, 'DrillDatabase', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }), vpc, storageEncrypted: true, multiAz: true,
  });
  const backups = new TenantBackups(stack, 'Backups', {
    database: RestoreDatabase.fromCluster(cluster),
    secret: cluster.secret!,
    databaseName: 'tenants',
    vpc,
    schemas: ['customer_a1', 'customer_a2'],
    backupJobs: 2,
    notificationTopic: new sns.Topic(stack, 'Outcomes', { enforceSSL: true }),
    drill: { database: RestoreDatabase.fromInstance(drillInstance), secret: drillInstance.secret!, databaseName: 'drill', maxBackupAge: Duration.hours(30), ...drill },
  });
  return { app, stack, backups, fixture: { vpc, cluster, drillInstance } };
}

/** The environment of the task definition whose logical id starts with `prefix`, by name. */
function environmentOf(template: Template, prefix: string): Record<string, unknown> {
  const [definition] = Object.entries(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith(prefix)).map(([, r]) => r);
  const [container] = definition.Properties.ContainerDefinitions as Array<{ Environment: Array<{ Name: string; Value: unknown }> }>;
  return Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value]));
}

describe('TenantBackups with the newest aws-cdk-lib', () => {
  const { stack } = backupsApp({ schemas: ['customer_a1'] });
  const template = Template.fromStack(stack);

  test('sets every variable of the contract on the backup task, and the drill\'s only on the drill task', () => {
    const backup = environmentOf(template, 'BackupsTasksBackupTaskDefinition');
    const drill = environmentOf(template, 'BackupsTasksDrillTaskDefinition');
    expect(Object.keys(backup).sort()).toEqual([...SHARED, ...BACKUP_ONLY].sort());
    expect(Object.keys(drill).sort()).toEqual([...SHARED, ...DRILL_ONLY, 'PGSR_DRILL_SCHEMAS'].sort());
    expect(backup).toMatchObject({
      PGSR_DATABASE_NAME: 'tenants',
      PGSR_BACKUP_SCHEMAS: '["customer_a1","customer_a2"]',
      PGSR_BACKUP_JOBS: '2',
      PGSR_RETENTION: '{"keepDaily":7,"keepWeekly":4,"keepMonthly":12}',
      PGSR_METRICS_NAMESPACE: 'PgSchemaRestore',
      PGSR_BACKUP_SET: expect.stringMatching(/^TenantDatabaseBackups[0-9A-F]{8}$/),
    });
    expect(drill).toMatchObject({ PGSR_DRILL_DATABASE: 'drill', PGSR_DRILL_SCHEMAS: '["customer_a1"]', PGSR_DRILL_MAX_AGE_HOURS: '30' });
    for (const name of SHARED) expect(drill[name]).toEqual(backup[name]);
  });

  test('a drill by sample sets PGSR_DRILL_SAMPLE instead of PGSR_DRILL_SCHEMAS', () => {
    const drill = environmentOf(Template.fromStack(backupsApp({ sample: 2 }).stack), 'BackupsTasksDrillTaskDefinition');
    expect(drill).toMatchObject({ PGSR_DRILL_SAMPLE: '2' });
    expect(drill).not.toHaveProperty('PGSR_DRILL_SCHEMAS');
  });

  test('both tasks run the packaged image (built from its asset) with their own program as the entry point', () => {
    for (const [prefix, program] of [['BackupsTasksBackupTaskDefinition', 'backup-task.js'], ['BackupsTasksDrillTaskDefinition', 'drill-task.js']]) {
      const [definition] = Object.entries(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith(prefix)).map(([, r]) => r);
      expect(definition.Properties.ContainerDefinitions[0]).toMatchObject({
        EntryPoint: ['node', `/opt/pg-schema-restore/${program}`],
        Image: { 'Fn::Sub': expect.stringMatching(/cdk-hnb659fds-container-assets/) },
      });
    }
  });

  test('uses no deprecated API', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('deprecated')).map((w) => `${w.id}: ${w.entry.data}`)).toEqual([]);
  });

  test('cdk-nag 3 AwsSolutions reports nothing on the construct\'s resources, and it did run on the user\'s', () => {
    const { app, backups } = backupsApp();
    // The construct attaches its acknowledgments when the app synthesizes (an aspect), as an app with the plugin does.
    app.synth();
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const violations = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`));
    expect(violations.filter((v) => v.includes(`${backups.node.path}/`))).toEqual([]);
    expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-VPC7 TenantDatabase\/Vpc\/Resource$/)]));
  });

  test('an app with the cdk-nag 3 plugin synthesizes once the user acknowledges their own resources\' findings', () => {
    const { app, fixture } = backupsApp();
    Validations.of(fixture.vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'The test VPC hosts the fixture only.' });
    Validations.of(fixture.cluster).acknowledge(
      { id: 'AwsSolutions-RDS6', reason: 'The fixture database; IAM authentication is the application\'s choice.' },
      { id: 'AwsSolutions-RDS10', reason: 'The fixture database is deleted with the test stack.' },
      { id: 'AwsSolutions-SMG4', reason: 'The fixture database\'s secret; rotation is the application\'s choice.' },
    );
    Validations.of(fixture.drillInstance).acknowledge(
      { id: 'AwsSolutions-RDS10', reason: 'The fixture drill database is deleted with the test stack.' },
      { id: 'AwsSolutions-RDS11', reason: 'The fixture drill database listens on the default port.' },
      { id: 'AwsSolutions-SMG4', reason: 'The fixture drill database\'s secret; rotation is the application\'s choice.' },
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(app.synth().getStackByName('TenantDatabase').template.Resources).toBeDefined();
  });
});
