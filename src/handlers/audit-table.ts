import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbSdk } from '../aws/sdk';
import { AwsResourceError } from '../errors';

/** Status of a restore in its audit record. */
export type AuditStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Where the audit records live: one item per restore, keyed by `restoreId` (the execution name). */
export interface AuditTable {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

/** Attribute of the audit item holding the ledger of the restore's temporary resources (JSON). */
export const RESOURCES_ATTRIBUTE = 'resources';

const key = (restoreId: string) => ({ restoreId: { S: restoreId } });

async function send<T>(table: AuditTable, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    throw new AwsResourceError(table.tableName, `cannot ${doing} in the audit table ${table.tableName}: ${name}: ${(err as Error).message}; ` +
      'check that the state machine\'s functions may write to it', { cause: err, code: 'AUDIT_WRITE_FAILED' });
  }
}

/** What the start of a restore writes into its audit record. */
export interface AuditStart {
  readonly restoreId: string;
  /** The execution input as given. */
  readonly input: unknown;
  readonly now: Date;
  /** Where the schemas come from (`backup` or `rds`), once the input is checked; absent for input that is refused. */
  readonly source?: string;
}

/**
 * Write the audit record of a restore that starts: status RUNNING, the input as given, the source
 * when known, the start time. A second start of the same restore (a redriven execution) keeps the first start time.
 *
 * @example
 * await startAuditRecord(table, { restoreId: 'r-1', input: event.input, now: new Date(), source: 'backup' });
 */
export async function startAuditRecord(table: AuditTable, record: AuditStart): Promise<void> {
  const source = record.source === undefined ? undefined : { names: { '#source': 'source' }, values: { ':source': { S: record.source } } };
  await send(table, `write the audit record of ${record.restoreId}`, () => table.dynamodb.send(new dynamoDbSdk.UpdateItemCommand({
    TableName: table.tableName,
    Key: key(record.restoreId),
    UpdateExpression: `SET #status = :running, #input = :input, startedAt = if_not_exists(startedAt, :now), updatedAt = :now${source ? ', #source = :source' : ''}`,
    ExpressionAttributeNames: { '#status': 'status', '#input': 'input', ...source?.names },
    ExpressionAttributeValues: { ':running': { S: 'RUNNING' }, ':input': { S: JSON.stringify(record.input ?? null) }, ':now': { S: record.now.toISOString() }, ...source?.values },
  })));
}

/** What the end of a restore writes into its audit record. */
export interface AuditOutcome {
  readonly restoreId: string;
  readonly status: Exclude<AuditStatus, 'RUNNING'>;
  readonly now: Date;
  /** Why it failed, in one line. */
  readonly error?: string;
  /** Temporary resources cleanup could not delete (`kind id: reason`). */
  readonly leftovers?: readonly string[];
}

/**
 * Write the final status of a restore into its audit record, with the error and any leftovers.
 *
 * @example
 * await finishAuditRecord(table, { restoreId: 'r-1', status: 'FAILED', error: 'snapshot not found', now: new Date() });
 */
export async function finishAuditRecord(table: AuditTable, outcome: AuditOutcome): Promise<void> {
  const values: Record<string, AttributeValue> = {
    ':status': { S: outcome.status }, ':now': { S: outcome.now.toISOString() }, ':leftovers': { L: (outcome.leftovers ?? []).map((l) => ({ S: l })) },
  };
  let update = 'SET #status = :status, finishedAt = :now, updatedAt = :now, leftovers = :leftovers';
  if (outcome.error !== undefined) {
    values[':error'] = { S: outcome.error };
    update += ', #error = :error';
  }
  await send(table, `write the final status of ${outcome.restoreId}`, () => table.dynamodb.send(new dynamoDbSdk.UpdateItemCommand({
    TableName: table.tableName,
    Key: key(outcome.restoreId),
    UpdateExpression: update,
    ExpressionAttributeNames: { '#status': 'status', ...(outcome.error !== undefined ? { '#error': 'error' } : {}) },
    ExpressionAttributeValues: values,
  })));
}

/**
 * Read one attribute of a restore's audit record (strongly consistent); undefined when absent.
 *
 * @example
 * const json = await readAuditAttribute(table, 'r-1', RESOURCES_ATTRIBUTE);
 */
export async function readAuditAttribute(table: AuditTable, restoreId: string, attribute: string): Promise<string | undefined> {
  const out = await send(table, `read the audit record of ${restoreId}`, () => table.dynamodb.send(new dynamoDbSdk.GetItemCommand({
    TableName: table.tableName, Key: key(restoreId), ConsistentRead: true, ProjectionExpression: '#a', ExpressionAttributeNames: { '#a': attribute },
  })));
  return out.Item?.[attribute]?.S;
}

/**
 * Set one string attribute of a restore's audit record.
 *
 * @example
 * await writeAuditAttribute(table, 'r-1', RESOURCES_ATTRIBUTE, '[]');
 */
export async function writeAuditAttribute(table: AuditTable, restoreId: string, attribute: string, value: string): Promise<void> {
  // UpdateItem creates the item when the audit record is not there yet.
  await send(table, `update the audit record of ${restoreId}`, () => table.dynamodb.send(new dynamoDbSdk.UpdateItemCommand({
    TableName: table.tableName, Key: key(restoreId), UpdateExpression: 'SET #a = :v', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':v': { S: value } },
  })));
}
