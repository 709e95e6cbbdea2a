import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dmsSdk, pricingSdk, rdsSdk, s3Sdk, secretsManagerSdk } from './sdk';
import type { AwsClients } from '../sources/restore-source';

/**
 * The RDS client to use: the given one, or one built from the default credential chain and region.
 *
 * @example
 * const rds = rdsClientOf(options.clients);
 */
export function rdsClientOf(clients: AwsClients | undefined): RDSClient {
  return clients?.rds ?? new rdsSdk.RDSClient({});
}

/**
 * The Secrets Manager client to use: the given one, or one built from the default credential chain and region.
 *
 * @example
 * const secrets = secretsManagerClientOf(options.clients);
 */
export function secretsManagerClientOf(clients: AwsClients | undefined): SecretsManagerClient {
  return clients?.secretsManager ?? new secretsManagerSdk.SecretsManagerClient({});
}

/**
 * The DMS client to use: the given one, or one built from the default credential chain and region.
 *
 * @example
 * const dms = dmsClientOf(options.clients);
 */
export function dmsClientOf(clients: Pick<AwsClients, 'dms'> | undefined): DatabaseMigrationServiceClient {
  return clients?.dms ?? new dmsSdk.DatabaseMigrationServiceClient({});
}

/**
 * The S3 client to use: the given one, or one built from the default credential chain and region,
 * path-style when an endpoint (MinIO, LocalStack, s3rver) is given.
 *
 * @example
 * const s3 = s3ClientOf(deps, { endpoint: process.env.AWS_ENDPOINT_URL_S3 });
 */
export function s3ClientOf(clients: { readonly s3?: S3Client } | undefined, config: { readonly endpoint?: string } = {}): S3Client {
  return clients?.s3 ?? new s3Sdk.S3Client(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {});
}

/**
 * The Price List client to use: the given one, or one in us-east-1, where the Price List API lives.
 *
 * @example
 * const pricing = pricingClientOf(options);
 */
export function pricingClientOf(clients: { readonly pricing?: PricingClient } | undefined): PricingClient {
  return clients?.pricing ?? new pricingSdk.PricingClient({ region: 'us-east-1' });
}
