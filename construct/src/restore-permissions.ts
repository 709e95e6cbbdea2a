import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acceptFindings, AcceptedFinding } from './accepted-findings';
import { RestoreDatabase } from './restore-database';
import { RestoreFunctions } from './restore-functions';
import { TenantBackups } from './tenant-backups';

/** Tag naming the restore that created a resource (set by the pg-schema-restore SDK on everything it creates). */
export const RESTORE_ID_TAG = 'pg-schema-restore:restore-id';
/** Tag naming the SchemaRestore that created a temporary database; its delete permission is limited to its own value. */
export const OWNER_TAG = 'pg-schema-restore:owner';
/** Prefix of the temporary resources' identifiers (`pgsr-<restore id>`). */
export const TEMPORARY_PREFIX = 'pgsr-';
/** Prefix of the temporary secrets' names. */
export const TEMPORARY_SECRET_PREFIX = 'pg-schema-restore/';

/** Temporary secrets: created under `pg-schema-restore/` at run time; every grant on them also requires the restore-id tag. @internal */
export const TEMPORARY_SECRETS_FINDING: AcceptedFinding = {
  id: 'AwsSolutions-IAM5',
  reason: 'Temporary secrets are named pg-schema-restore/<random> at run time; every grant on them also requires the restore-id tag.',
  appliesTo: [/^Resource::arn:<AWS::Partition>:secretsmanager:[^:]+:[^:]+:secret:pg-schema-restore\/\*$/],
};

/** CDK's grant of a customer managed key: the KMS calls DynamoDB, S3 and Secrets Manager make for the caller, on this key only. */
const KEY_USE_FINDING: AcceptedFinding = {
  id: 'AwsSolutions-IAM5',
  reason: 'CDK\'s grantEncryptDecrypt on the customer managed key: kms:GenerateDataKey* and kms:ReEncrypt* are what DynamoDB, S3 and Secrets Manager call for the caller, on this key only.',
  appliesTo: [/^Action::kms:(GenerateDataKey|ReEncrypt)\*$/],
};

/** TenantBackups.grantRestore on the copy task: the backup runs it reads are named at run time, all under one folder. */
const BACKUPS_READ_FINDING: AcceptedFinding = {
  id: 'AwsSolutions-IAM5',
  reason: 'TenantBackups.grantRestore: the copy task lists and reads the backup runs, named by database and time at run time, under the backups/ folder of the backups bucket only.',
  appliesTo: [/^Action::s3:(GetObject|GetBucket|List)\*$/, /^Resource::.+\/([^*]*\/)?backups\/\*$/],
};

/** @internal */
export interface RestorePermissionsProps {
  readonly functions: RestoreFunctions;
  readonly taskRole: iam.IRole;
  readonly database: RestoreDatabase;
  readonly secret: secretsmanager.ISecret;
  readonly auditTable: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly subnetGroupName: string;
  /** Value of the owner tag this construct puts on its temporary databases. */
  readonly owner: string;
  readonly encryptionKey?: kms.IKey;
  /** Backups the copy task restores from with `"source": "backup"`. */
  readonly backups?: TenantBackups;
}

/** An ARN pattern of RDS resources in the stack's account and region. */
function rdsArn(scope: Construct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'rds', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** ARN pattern of the temporary secrets. @internal */
export function temporarySecretsArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${TEMPORARY_SECRET_PREFIX}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * Least privilege for the state machine's functions and the copy task: temporary databases are
 * created only in requests that carry this construct's owner tag and deleted only when they carry
 * it; temporary secrets are created and deleted only under `pg-schema-restore/` with a restore id tag.
 * @internal
 */
export function grantRestorePermissions(scope: Construct, props: RestorePermissionsProps): void {
  const fns = props.functions;
  const temporaryDatabases = [rdsArn(scope, 'db', `${TEMPORARY_PREFIX}*`), rdsArn(scope, 'cluster', `${TEMPORARY_PREFIX}*`)];

  // Describe calls take identifiers and snapshots named at run time (and an Aurora cluster's writer), so they cannot be scoped.
  const describe = new iam.PolicyStatement({
    actions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'rds:DescribeDBSnapshots', 'rds:DescribeDBClusterSnapshots', 'rds:DescribeDBInstanceAutomatedBackups'],
    resources: ['*'],
  });
  for (const fn of [fns.detectSource, fns.checkTemporary, fns.cleanup]) fn.addToRolePolicy(describe);

  fns.startTemporary.addToRolePolicy(new iam.PolicyStatement({
    actions: [
      'rds:RestoreDBInstanceToPointInTime', 'rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBClusterToPointInTime', 'rds:RestoreDBClusterFromSnapshot',
      'rds:CreateDBInstance', 'rds:AddTagsToResource',
    ],
    resources: [
      ...props.database._sourceArns(scope),
      ...temporaryDatabases,
      rdsArn(scope, 'snapshot', '*'),
      rdsArn(scope, 'cluster-snapshot', '*'),
      rdsArn(scope, 'subgrp', props.subnetGroupName),
      rdsArn(scope, 'pg', '*'),
      rdsArn(scope, 'cluster-pg', '*'),
      rdsArn(scope, 'og', '*'),
    ],
    conditions: { StringEquals: { [`aws:RequestTag/${OWNER_TAG}`]: props.owner } },
  }));
  fns.cleanup.addToRolePolicy(new iam.PolicyStatement({
    actions: ['rds:DeleteDBInstance', 'rds:DeleteDBCluster'],
    resources: temporaryDatabases,
    conditions: { StringEquals: { [`aws:ResourceTag/${OWNER_TAG}`]: props.owner } },
  }));

  const temporarySecrets = temporarySecretsArn(scope);
  props.secret.grantRead(fns.resolveSecret);
  fns.resolveSecret.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:ListSecretVersionIds'], resources: [props.secret.secretArn] }));
  fns.resolveSecret.addToRolePolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    resources: [temporarySecrets],
    conditions: { Null: { [`aws:RequestTag/${RESTORE_ID_TAG}`]: 'false' } },
  }));
  fns.cleanup.addToRolePolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:DeleteSecret'],
    resources: [temporarySecrets],
    conditions: { Null: { [`secretsmanager:ResourceTag/${RESTORE_ID_TAG}`]: 'false' } },
  }));

  props.secret.grantRead(props.taskRole);
  props.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [temporarySecrets],
    conditions: { Null: { [`secretsmanager:ResourceTag/${RESTORE_ID_TAG}`]: 'false' } },
  }));
  props.bucket.grantPut(props.taskRole);
  props.backups?.grantRestore(props.taskRole);

  props.auditTable.grant(fns.startRequest, 'dynamodb:UpdateItem');
  props.auditTable.grant(fns.finishRequest, 'dynamodb:UpdateItem');
  for (const fn of [fns.startTemporary, fns.resolveSecret, fns.cleanup]) props.auditTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  if (props.encryptionKey) {
    for (const fn of fns.all) props.encryptionKey.grantEncryptDecrypt(fn);
    props.encryptionKey.grantEncryptDecrypt(props.taskRole);
  }

  const keyUse = props.encryptionKey ? [KEY_USE_FINDING] : [];
  acceptFindings(fns, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Temporary databases are named pgsr-<restore id> at run time; creating them needs the owner tag in the request and deleting them needs it on the resource; the snapshot and parameter groups a restore uses are chosen at run time.',
      appliesTo: [
        /^Resource::arn:<AWS::Partition>:rds:[^:]+:[^:]+:(db|cluster):pgsr-\*$/,
        /^Resource::arn:<AWS::Partition>:rds:[^:]+:[^:]+:(snapshot|cluster-snapshot|pg|cluster-pg|og):\*$/,
      ],
    },
    TEMPORARY_SECRETS_FINDING,
    ...keyUse,
  ]);
  acceptFindings(props.taskRole, [
    TEMPORARY_SECRETS_FINDING,
    {
      id: 'AwsSolutions-IAM5',
      reason: 'CDK\'s grantPut: the copy task writes its reports under any key of its own artifact bucket (s3:Abort* for multipart uploads).',
      appliesTo: [/^Action::s3:Abort\*$/, /^Resource::<[A-Za-z0-9]+\.Arn>\/\*$/],
    },
    ...keyUse,
    ...(props.backups ? [BACKUPS_READ_FINDING] : []),
  ]);
}
