import { Template } from 'aws-cdk-lib/assertions';
import { TenantDatabaseStack } from '../../examples/aurora-schema-restore';
import { sourceFrom } from '../../examples/restore-schema-script';
import { TenantBackupsStack } from '../../examples/tenant-backups';
import { testApp } from '../support/cdk-app';
import { ensureHandlerAssets } from '../support/workflow';

describe('examples', () => {
  test('aurora-schema-restore synthesizes: an Aurora cluster and a SchemaRestore for it', () => {
    ensureHandlerAssets();
    const stack = new TenantDatabaseStack(testApp(), 'TenantDatabase', { env: { account: '123456789012', region: 'eu-west-1' } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasOutput('RestoreStateMachineArn', {});
  });

  test('tenant-backups synthesizes: nightly backups and monthly drills on a schedule, their alarms to a topic, a retained bucket, and a SchemaRestore that reads it', () => {
    ensureHandlerAssets();
    const stack = new TenantBackupsStack(testApp(), 'TenantBackups', { env: { account: '123456789012', region: 'eu-west-1' } });
    const template = Template.fromStack(stack);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties.ScheduleExpression as string);
    expect(schedules.sort()).toEqual(['cron(0 2 * * ? *)', 'cron(0 4 1 * ? *)']);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as { MetricName?: string; AlarmActions?: unknown[] });
    for (const metric of ['BackupSucceeded', 'BackupFailed', 'BackupSizeRatio', 'DrillFailed']) {
      expect(alarms.find((a) => a.MetricName === metric)?.AlarmActions).toHaveLength(1);
    }
    // The restore workflow offers the backups: the copy task knows where they are, and the state machine has the branch.
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap((r) => r.Properties.ContainerDefinitions as Array<{ Environment?: Array<{ Name: string }> }>);
    expect(containers.filter((c) => c.Environment?.some((e) => e.Name === 'PGSR_BACKUP_LOCATION'))).toHaveLength(3);
    expect(JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'))).toContain('CopyFromBackup');
    template.hasOutput('BackupBucket', {});
    template.hasOutput('RestoreStateMachineArn', {});
  });

  test('restore-schema-script reads a dump or a PITR source from its arguments', () => {
    expect(sourceFrom(['dump', '/backups/tenants.dump'])).toEqual({ kind: 'dump', path: '/backups/tenants.dump' });
    expect(sourceFrom(['pitr', '/b', '/w', '2024-01-28T14:30:00Z'])).toEqual({ kind: 'pitr', baseBackup: '/b', walArchive: '/w', targetTime: new Date('2024-01-28T14:30:00Z') });
    expect(() => sourceFrom(['rds'])).toThrow(/usage/);
  });
});
