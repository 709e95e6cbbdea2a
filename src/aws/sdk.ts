import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type * as DatabaseMigrationService from '@aws-sdk/client-database-migration-service';
import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as Pricing from '@aws-sdk/client-pricing';
import type * as Rds from '@aws-sdk/client-rds';
import type * as S3 from '@aws-sdk/client-s3';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as S3Storage from '@aws-sdk/lib-storage';

/**
 * A stand-in for an AWS SDK client package that `require`s it on first property access, so that
 * loading this library (or running `--version` or a local restore) never pays the ~0.6 s the six
 * clients take to load. The real module is the one `require` returns, so `aws-sdk-client-mock`
 * mocks on its client classes apply and `instanceof` against its exception classes holds. Each
 * package is named in a literal `require` so that esbuild still bundles it into the Lambda handlers.
 *
 * @example
 * const rds = lazyModule<typeof import('@aws-sdk/client-rds')>(() => require('@aws-sdk/client-rds'));
 * await client.send(new rds.DescribeDBInstancesCommand({})); // the package is loaded here
 */
export function lazyModule<T extends object>(requireModule: () => T): T {
  let loaded: T | undefined;
  const load = (): T => (loaded ??= requireModule());
  return new Proxy({} as T, {
    get: (_target, key) => Reflect.get(load(), key),
    has: (_target, key) => Reflect.has(load(), key),
  });
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: see lazyModule */
/** `@aws-sdk/client-cloudwatch`, loaded on first use. Only the backup and drill task programs use it, which bundle it: a dev dependency. */
// eslint-disable-next-line import/no-extraneous-dependencies
export const cloudWatchSdk = lazyModule<typeof CloudWatch>(() => require('@aws-sdk/client-cloudwatch'));
/** `@aws-sdk/client-database-migration-service`, loaded on first use. */
export const dmsSdk = lazyModule<typeof DatabaseMigrationService>(() => require('@aws-sdk/client-database-migration-service'));
/** `@aws-sdk/client-dynamodb`, loaded on first use. Only the construct's handlers use it, which bundle it: a dev dependency. */
// eslint-disable-next-line import/no-extraneous-dependencies
export const dynamoDbSdk = lazyModule<typeof DynamoDb>(() => require('@aws-sdk/client-dynamodb'));
/** `@aws-sdk/client-pricing`, loaded on first use. */
export const pricingSdk = lazyModule<typeof Pricing>(() => require('@aws-sdk/client-pricing'));
/** `@aws-sdk/client-rds`, loaded on first use. */
export const rdsSdk = lazyModule<typeof Rds>(() => require('@aws-sdk/client-rds'));
/** `@aws-sdk/client-s3`, loaded on first use. */
export const s3Sdk = lazyModule<typeof S3>(() => require('@aws-sdk/client-s3'));
/** `@aws-sdk/client-secrets-manager`, loaded on first use. */
export const secretsManagerSdk = lazyModule<typeof SecretsManager>(() => require('@aws-sdk/client-secrets-manager'));
/** `@aws-sdk/lib-storage` (multipart uploads of streams), loaded on first use. */
export const s3StorageSdk = lazyModule<typeof S3Storage>(() => require('@aws-sdk/lib-storage'));
