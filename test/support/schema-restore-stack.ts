import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { testApp } from './cdk-app';
import { ensureHandlerAssets } from './workflow';
import { CopyEngine } from '../../construct/src/copy-engine';
import { RestoreDatabase } from '../../construct/src/restore-database';
import { SchemaRestore } from '../../construct/src/schema-restore';
import { TenantBackups } from '../../construct/src/tenant-backups';

/** Which optional resources of the construct a test stack turns on. */
export interface SchemaRestoreVariant {
  readonly copyEngine: CopyEngine;
  /** A customer managed key, a notification topic, an access logs bucket and a registry image (instead of the bundled image asset). */
  readonly withOptions: boolean;
  /** A TenantBackups of the cluster (prefix `team-a/`), given as `backups`. @default false */
  readonly withBackups?: boolean;
}

/** Between them, every resource the construct can add: the copy engine with no options (the image built from its asset), DMS with all of them. */
export const SCHEMA_RESTORE_VARIANTS: SchemaRestoreVariant[] = [
  { copyEngine: CopyEngine.COPY, withOptions: false },
  { copyEngine: CopyEngine.DMS, withOptions: true },
];

/** A user's stack: VPC, Aurora PostgreSQL cluster, and a SchemaRestore for it. */
export interface SchemaRestoreStack {
  readonly app: App;
  readonly stack: Stack;
  readonly restore: SchemaRestore;
  /** The user's own resources, around the construct. */
  readonly fixture: { readonly vpc: ec2.Vpc; readonly cluster: rds.DatabaseCluster };
}

/**
 * Build, without synthesizing, a stack with a SchemaRestore of the given variant, in an app with its own temporary outdir.
 *
 * @example
 * const { app, restore } = schemaRestoreStack({ copyEngine: CopyEngine.DMS, withOptions: true });
 */
export function schemaRestoreStack(variant: SchemaRestoreVariant): SchemaRestoreStack {
  ensureHandlerAssets();
  const { app, stack, vpc, cluster } = tenantDatabaseStack();
  const options = variant.withOptions ? {
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    notificationTopic: new sns.Topic(stack, 'Outcomes', { enforceSSL: true }),
    accessLogsBucket: new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL }),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/pg-schema-restore:test'),
  } : {};
  const database = RestoreDatabase.fromCluster(cluster);
  const backups = variant.withBackups ? { backups: new TenantBackups(stack, 'Backups', { database, secret: cluster.secret!, databaseName: 'tenants', vpc, prefix: 'team-a/' }) } : {};
  const restore = new SchemaRestore(stack, 'SchemaRestore', {
    database, secret: cluster.secret!, vpc, copyEngine: variant.copyEngine, ...options, ...backups,
  });
  return { app, stack, restore, fixture: { vpc, cluster } };
}

/**
 * The user's stack before any construct of ours, in an app with its own temporary outdir: a VPC and an Aurora PostgreSQL cluster.
 *
 * @example
 * const { stack, vpc, cluster } = tenantDatabaseStack();
 */
export function tenantDatabaseStack(): { app: App; stack: Stack } & SchemaRestoreStack['fixture'] {
  const app = testApp();
  const stack = new Stack(app, 'TenantDatabase', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new rds.DatabaseCluster(stack, 'Tenants', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('writer'),
    vpc,
    storageEncrypted: true,
  });
  return { app, stack, vpc, cluster };
}
