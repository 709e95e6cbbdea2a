import { Template } from 'aws-cdk-lib/assertions';
import { TenantDatabaseStack } from '../../examples/aurora-schema-restore';
import { sourceFrom } from '../../examples/restore-schema-script';
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

  test('restore-schema-script reads a dump or a PITR source from its arguments', () => {
    expect(sourceFrom(['dump', '/backups/tenants.dump'])).toEqual({ kind: 'dump', path: '/backups/tenants.dump' });
    expect(sourceFrom(['pitr', '/b', '/w', '2024-01-28T14:30:00Z'])).toEqual({ kind: 'pitr', baseBackup: '/b', walArchive: '/w', targetTime: new Date('2024-01-28T14:30:00Z') });
    expect(() => sourceFrom(['rds'])).toThrow(/usage/);
  });
});
