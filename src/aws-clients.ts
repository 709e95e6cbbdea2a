import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dmsSdk, rdsSdk, secretsManagerSdk } from './aws-sdk';
import type { AwsClients } from './sources/restore-source';

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
