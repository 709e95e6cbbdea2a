import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acceptFindings } from './accepted-findings';

/** Namespace of the backup and drill tasks' metrics; their PutMetricData permission is limited to it. */
export const METRICS_NAMESPACE = 'PgSchemaRestore';

/** What a backup or drill task may do with the bucket. @internal */
export interface BucketAccess {
  readonly bucket: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
  /** Folders (under the construct's prefix, ending with `/`) the task lists and reads. */
  readonly read: string[];
  /** Folders the task writes. */
  readonly write: string[];
  /** Folders the task deletes from (prune). */
  readonly delete: string[];
}

/**
 * Least privilege for a backup or drill task: objects only under the given folders, listing only with
 * those prefixes, the key only through S3, the given secrets, and metrics only in {@link METRICS_NAMESPACE}.
 * @internal
 */
export function grantBackupTask(role: iam.IRole, access: BucketAccess, secrets: secretsmanager.ISecret[]): void {
  const objects = (folders: string[]) => folders.map((folder) => access.bucket.arnForObjects(`${folder}*`));
  const statements = [
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [access.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': access.read.map((folder) => `${folder}*`) } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(access.read) }),
    new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: objects(access.write) }),
  ];
  if (access.delete.length > 0) statements.push(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: objects(access.delete) }));
  if (access.encryptionKey) {
    statements.push(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [access.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(role).region}.amazonaws.com` } },
    }));
  }
  statements.push(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
  }));
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  for (const secret of secrets) secret.grantRead(role);
  acceptFindings(role, [
    { id: 'AwsSolutions-IAM5', reason: 'cloudwatch:PutMetricData has no resource-level permission; the cloudwatch:namespace condition limits it to the PgSchemaRestore namespace.', appliesTo: [/^Resource::\*$/] },
    { id: 'AwsSolutions-IAM5', reason: 'Backup runs and drill reports are named by their UTC time at run time: object access is limited to the construct\'s own folders of the bucket.', appliesTo: [/^Resource::<[A-Za-z0-9]+\.Arn>\/.*\*$/, /^Resource::arn:<AWS::Partition>:s3:::.*\*$/] },
  ]);
}
