import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HandlerEnv } from './handler-context';

/**
 * What every handler of the construct takes from outside, so that tests pass their own: the
 * environment the construct set.
 *
 * @example
 * const handler = detectSourceHandler({ env: { SOURCE_ID: 'prod-db', SECRET_ARN: arn } });
 */
export interface HandlerDeps {
  /** @default process.env */
  readonly env?: HandlerEnv;
}

/**
 * A handler that reads or writes the restore's audit record (and its ledger) in DynamoDB.
 *
 * @example
 * const handler = finishRequestHandler({ dynamodb: new DynamoDBClient({ endpoint }), env });
 */
export interface AuditHandlerDeps extends HandlerDeps {
  readonly dynamodb?: DynamoDBClient;
}
