import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptFindings } from './accepted-findings';
import { BackupAccessLogging } from './backup-access-logging';

/** @internal */
export interface BackupBucketProps {
  readonly bucket?: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
  readonly prefix: string;
  readonly removalPolicy: RemovalPolicy;
  readonly noncurrentVersionRetention: Duration;
  readonly accessLogging?: BackupAccessLogging;
}

/** The backup bucket and the key that encrypts it. @internal */
export interface BackupBucket {
  readonly bucket: s3.IBucket;
  readonly encryptionKey?: kms.IKey;
}

const DEFAULT_NO_LOGGING_REASON = 'No accessLogging was chosen: only the backup and drill tasks write the bucket, their runs are logged, and CloudTrail data events audit it if the account enables them.';

/**
 * The bucket the backups go to: the given one as it is, or a new one that outlives the stack (retained,
 * versioned, SSE-KMS with a bucket key, TLS only, no public access) with lifecycle rules that back the
 * retention: old versions of pruned runs expire, unfinished multipart uploads are aborted.
 * @internal
 */
export function backupBucket(scope: Construct, props: BackupBucketProps): BackupBucket {
  const logging = props.accessLogging;
  if (props.bucket) {
    logToTrail(props.bucket, props.prefix, logging?.trail);
    return { bucket: props.bucket, encryptionKey: props.encryptionKey ?? props.bucket.encryptionKey };
  }
  const key = props.encryptionKey ?? new kms.Key(scope, 'Key', {
    enableKeyRotation: true, removalPolicy: props.removalPolicy, description: 'pg-schema-restore tenant backups',
  });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    versioned: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: props.removalPolicy,
    lifecycleRules: [{
      id: 'pg-schema-restore-retention',
      noncurrentVersionExpiration: props.noncurrentVersionRetention,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
      expiredObjectDeleteMarker: true,
    }],
    serverAccessLogsBucket: logging?.logsBucket,
    serverAccessLogsPrefix: logging?.logsBucket ? logging.logsPrefix ?? `pg-schema-restore/${Names.uniqueResourceName(scope, { maxLength: 128 })}/` : undefined,
  });
  logToTrail(bucket, props.prefix, logging?.trail);
  if (!logging?.logsBucket) {
    const reason = logging?.trail
      ? 'CloudTrail data events on the chosen trail record every read and write of the backups instead of server access logs.'
      : logging?.noneReason ?? DEFAULT_NO_LOGGING_REASON;
    acceptFindings(bucket.node.defaultChild!, [{ id: 'AwsSolutions-S1', reason }]);
  }
  return { bucket, encryptionKey: key };
}

function logToTrail(bucket: s3.IBucket, prefix: string, trail?: cloudtrail.Trail): void {
  trail?.addS3EventSelector([{ bucket, objectPrefix: prefix || undefined }], { readWriteType: cloudtrail.ReadWriteType.ALL });
}
