import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * How reads and writes of the backup bucket are recorded: server access logs into a bucket,
 * CloudTrail data events on a trail, or — with a stated reason — not at all.
 *
 * @example
 * BackupAccessLogging.toBucket(accessLogsBucket, 'tenant-backups/');
 * BackupAccessLogging.cloudTrailDataEvents(organizationTrail);
 * BackupAccessLogging.none('The account records S3 data events on its organization trail.');
 */
export class BackupAccessLogging {
  /**
   * S3 server access logs of the bucket created by {@link TenantBackups}, delivered into `bucket`.
   * (An existing backup bucket keeps the logging it has.)
   * @param bucket receives the logs; it must allow the S3 logging service to write (CDK sets this up for a bucket of the same app)
   * @param prefix key prefix of the logs, e.g. `tenant-backups/`; default: `pg-schema-restore/<construct name>/`
   */
  public static toBucket(bucket: s3.IBucket, prefix?: string): BackupAccessLogging {
    return new BackupAccessLogging(bucket, prefix, undefined, undefined);
  }

  /**
   * CloudTrail data events (reads and writes) for every object under the construct's prefix, added to
   * an event selector of `trail`. Data events are charged per event by CloudTrail.
   */
  public static cloudTrailDataEvents(trail: cloudtrail.Trail): BackupAccessLogging {
    return new BackupAccessLogging(undefined, undefined, trail, undefined);
  }

  /**
   * No access logging by this construct; `reason` says why that is acceptable (it is recorded as the
   * justification of cdk-nag's AwsSolutions-S1 finding on the bucket).
   */
  public static none(reason: string): BackupAccessLogging {
    if (!reason.trim()) throw new Error('BackupAccessLogging.none needs a reason: say how access to the backups is audited instead');
    return new BackupAccessLogging(undefined, undefined, undefined, reason);
  }

  private constructor(
    /** Receives the server access logs. */
    public readonly logsBucket: s3.IBucket | undefined,
    /** Key prefix of the server access logs. */
    public readonly logsPrefix: string | undefined,
    /** Records the data events. */
    public readonly trail: cloudtrail.Trail | undefined,
    /** Why nothing is recorded. */
    public readonly noneReason: string | undefined,
  ) {}
}
