import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbSdk } from './sdk';

// Apart from clients.ts: @aws-sdk/client-dynamodb is a dev dependency (only the bundled handlers use it),
// so no declaration file the package's entries reach may name it.

/**
 * The DynamoDB client to use (the construct's handlers keep their audit records with it): the given one, or a default one.
 *
 * @example
 * const dynamodb = dynamoDbClientOf(deps);
 */
export function dynamoDbClientOf(clients: { readonly dynamodb?: DynamoDBClient } | undefined): DynamoDBClient {
  return clients?.dynamodb ?? new dynamoDbSdk.DynamoDBClient({});
}
