import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RestoreDatabase } from './restore-database';

/** Folder of the backup runs in the bucket (under the prefix): `backups/<database>/<UTC time>/`. */
export const BACKUPS_FOLDER = 'backups/';
/** Folder of the drill reports in the bucket (under the prefix): `drills/<database>/<UTC time>.json|.md`. */
export const DRILLS_FOLDER = 'drills/';

/** Properties of {@link TenantBackups}. (Skeleton: the full set is built by issue 15.) */
export interface TenantBackupsProps {
  /** The live database whose tenant schemas are backed up: `RestoreDatabase.fromInstance(…)` or `.fromCluster(…)`. */
  readonly database: RestoreDatabase;
  /** The database's credentials secret (RDS format: username, password, host, port). */
  readonly secret: secretsmanager.ISecret;
  /** The database (in the instance or cluster) whose schemas are backed up. */
  readonly databaseName: string;
  /** The VPC of the backup and drill tasks; it must reach the database. */
  readonly vpc: ec2.IVpc;
  /**
   * An existing bucket for the backups.
   * @default - a new bucket: retained on `cdk destroy`, versioned, KMS-encrypted, TLS only, no public access
   */
  readonly bucket?: s3.IBucket;
  /**
   * Prefix of every key this construct writes in the bucket; ends with `/` when not empty.
   * @default ''
   */
  readonly prefix?: string;
  /**
   * Customer managed key that encrypts the backups.
   * @default - a new key with rotation, retained on `cdk destroy`, when the bucket is created here; the existing bucket's own encryption otherwise
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Nightly per-tenant backups of a PostgreSQL database into S3, kept by a retention policy, checked by
 * alarms and proven by monthly restore drills. (Skeleton.)
 */
export class TenantBackups extends Construct {
  /** The bucket that holds the backups (under `<prefix>backups/`) and the drill reports (under `<prefix>drills/`). */
  public readonly bucket: s3.IBucket;
  /** The key that encrypts the backups, when one is known. */
  public readonly encryptionKey?: kms.IKey;
  /** Prefix of every key this construct writes in the bucket. */
  public readonly prefix: string;
  /** The database whose schemas are backed up. */
  public readonly databaseName: string;
  /** Where the backup runs are: `s3://<bucket>/<prefix>backups/`; a restore reads `<backupsLocation><database>/`. */
  public readonly backupsLocation: string;

  constructor(scope: Construct, id: string, props: TenantBackupsProps) {
    super(scope, id);
    this.prefix = props.prefix ?? '';
    this.databaseName = props.databaseName;
    if (props.bucket) {
      this.bucket = props.bucket;
      this.encryptionKey = props.encryptionKey ?? props.bucket.encryptionKey;
    } else {
      const key = props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN, description: 'pg-schema-restore tenant backups' });
      this.encryptionKey = key;
      this.bucket = new s3.Bucket(this, 'Bucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        versioned: true,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.backupsLocation = `s3://${this.bucket.bucketName}/${this.prefix}${BACKUPS_FOLDER}`;
  }

  /** Allow a principal to list and read the backups and the drill reports. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee, `${this.prefix}*`);
    this.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }

  /** Allow a principal to restore from the backups (`restore --source s3://…`): list and read the backup runs. */
  public grantRestore(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee, `${this.prefix}${BACKUPS_FOLDER}*`);
    this.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }
}
