import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BackupDrillOptions, CopyEngine, RestoreDatabase, SchemaRestore, SchemaRestoreProps, TenantBackups, TenantBackupsProps } from '../../src';

/** A stack with an Aurora PostgreSQL cluster and a SchemaRestore for it. */
export interface RestoreStack {
  readonly stack: Stack;
  readonly restore: SchemaRestore;
  readonly cluster: rds.DatabaseCluster;
}

/** SchemaRestore props, and which of the user's resources around it the test stack adds. */
export type RestoreStackOptions = Partial<SchemaRestoreProps> & {
  readonly withTopic?: boolean;
  readonly withAccessLogs?: boolean;
  /** A TenantBackups of the cluster (prefix `team-a/`), given as `backups`. */
  readonly withBackups?: boolean;
};

/** Cloud assemblies of this test file's apps, removed after its tests: an App without `outdir` leaves a `cdk.out*` directory in the temp dir. */
const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
});

/**
 * Build the test stack in an app with a temporary outdir; the image is a registry image so synthesis needs no Docker.
 *
 * @example
 * const { stack } = restoreStack({ copyEngine: CopyEngine.DMS });
 */
export function restoreStack(overrides: RestoreStackOptions = {}): RestoreStack {
  const { stack, vpc, cluster } = databaseStack();
  const { withTopic, withAccessLogs, withBackups, ...props } = overrides;
  const database = RestoreDatabase.fromCluster(cluster);
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/example/pg-schema-restore:test');
  const restore = new SchemaRestore(stack, 'SchemaRestore', {
    database,
    secret: cluster.secret!,
    vpc,
    image,
    copyEngine: CopyEngine.COPY,
    ...(withTopic ? { notificationTopic: new sns.Topic(stack, 'Outcomes', { enforceSSL: true }) } : {}),
    ...(withAccessLogs ? { accessLogsBucket: new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true }) } : {}),
    ...(withBackups ? { backups: new TenantBackups(stack, 'Backups', { database, secret: cluster.secret!, databaseName: 'tenants', vpc, prefix: 'team-a/', image }) } : {}),
    ...props,
  });
  return { stack, restore, cluster };
}

/** The user's stack before any construct of ours: a VPC and an Aurora PostgreSQL cluster, in an app with a temporary outdir. */
export function databaseStack(): { stack: Stack; vpc: ec2.Vpc; cluster: rds.DatabaseCluster } {
  const outdir = mkdtempSync(join(tmpdir(), 'pgsr-cdk-out-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new Stack(app, 'TenantDatabase', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new rds.DatabaseCluster(stack, 'Tenants', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('writer'),
    vpc,
    storageEncrypted: true,
  });
  return { stack, vpc, cluster };
}

/** A stack with the database of {@link databaseStack}, a drill database, and a TenantBackups for them. */
export interface BackupsStack {
  readonly stack: Stack;
  readonly backups: TenantBackups;
  readonly cluster: rds.DatabaseCluster;
  readonly drillInstance: rds.DatabaseInstance;
  readonly topic: sns.Topic;
}

/**
 * Build a stack with TenantBackups (a drill and a topic included); the image is a registry image so synthesis needs no Docker.
 *
 * @example
 * const { stack, backups } = backupsStack({ prefix: 'tenants/' });
 */
export function backupsStack(overrides: Partial<TenantBackupsProps> = {}, drillOverrides: Partial<BackupDrillOptions> = {}): BackupsStack {
  const { stack, vpc, cluster } = databaseStack();
  const topic = new sns.Topic(stack, 'Outcomes', { enforceSSL: true });
  const drillInstance = new rds.DatabaseInstance(stack, 'DrillDatabase', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
    vpc,
    storageEncrypted: true,
  });
  const backups = new TenantBackups(stack, 'Backups', {
    database: RestoreDatabase.fromCluster(cluster),
    secret: cluster.secret!,
    databaseName: 'tenants',
    vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/pg-schema-restore:test'),
    drill: { database: RestoreDatabase.fromInstance(drillInstance), secret: drillInstance.secret!, databaseName: 'drill', ...drillOverrides },
    notificationTopic: topic,
    ...overrides,
  });
  return { stack, backups, cluster, drillInstance, topic };
}

/** The state machine's definition as JSON, with each CloudFormation reference replaced by `${Ref}`. */
export function stateMachineDefinition(template: Template): StateMachineDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definition = machines[0].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const text = definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '${Ref}')).join('');
  return JSON.parse(text) as StateMachineDefinition;
}

/** The parts of Amazon States Language the tests read. */
export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** One state. */
export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: Array<{ readonly Next: string; readonly Variable?: string; readonly NumericGreaterThanEquals?: number }>;
  readonly Catch?: Array<{ readonly ErrorEquals: string[]; readonly Next: string }>;
  readonly ItemProcessor?: StateMachineDefinition;
  readonly Parameters?: Record<string, unknown>;
}
