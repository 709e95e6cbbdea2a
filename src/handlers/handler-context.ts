import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuditTable } from './audit-table';
import { Ledger } from '../aws/ledger';
import { InvalidInputError } from '../errors';
import { ProgressEvent, ProgressListener } from '../progress';
import { auditLedgerStore } from './audit-ledger-store';
import { dynamoDbClientOf } from '../aws/dynamodb-client';

/** The environment the construct gives its functions. */
export type HandlerEnv = Readonly<Record<string, string | undefined>>;

/**
 * A variable the construct always sets; missing means a deployment that does not match the handler.
 *
 * @example
 * const tableName = requiredEnv(process.env, 'AUDIT_TABLE_NAME');
 */
export function requiredEnv(env: HandlerEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new InvalidInputError(`the environment variable ${name} is not set; deploy the function with the SchemaRestore construct, which sets it`, { code: 'HANDLER_MISCONFIGURED' });
  }
  return value;
}

/**
 * The audit table named by `AUDIT_TABLE_NAME`.
 *
 * @example
 * const table = auditTableOf({ dynamodb: new DynamoDBClient({}), env: process.env });
 */
export function auditTableOf(deps: { readonly dynamodb?: DynamoDBClient; readonly env: HandlerEnv }): AuditTable {
  return { dynamodb: dynamoDbClientOf(deps), tableName: requiredEnv(deps.env, 'AUDIT_TABLE_NAME') };
}

/**
 * The ledger of a restore, kept in its audit record.
 *
 * @example
 * const ledger = auditLedger(table, 'r-1');
 */
export function auditLedger(table: AuditTable, restoreId: string, now?: () => Date): Ledger {
  return new Ledger(auditLedgerStore(table, restoreId), restoreId, now);
}

/**
 * Progress as one JSON line per event, which CloudWatch Logs Insights can query.
 *
 * @example
 * await cleanupResources(ledger, { onProgress: logProgress });
 */
export function logProgress(event: ProgressEvent): void {
  progressLines(process.stdout)(event);
}

/**
 * Progress as one JSON line per event on `out`, each line passed through `scrub` first (to mask
 * passwords that a message might quote).
 *
 * @example
 * const onProgress = progressLines(process.stdout, (line) => scrubAll(line, [sourceUrl]));
 */
export function progressLines(out: { write(text: string): unknown }, scrub: (line: string) => string = (line) => line): ProgressListener {
  return (event) => {
    out.write(`${scrub(JSON.stringify(event))}\n`);
  };
}
