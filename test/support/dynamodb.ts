import { AttributeValue, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

/** A mocked DynamoDB table keyed by `restoreId` that applies `SET` updates as DynamoDB would. */
export interface FakeAuditTable {
  readonly mock: AwsStub<any, any, any>;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Items by restoreId, as plain strings (the audit record only holds strings and lists of strings). */
  readonly items: Map<string, Record<string, unknown>>;
  /** Errors the next calls fail with, one per call, before touching the items. */
  readonly failNext: Error[];
}

function plain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.L !== undefined) return value.L.map(plain);
  throw new Error(`the fake audit table holds strings and lists only, got ${JSON.stringify(value)}`);
}

/** `SET a = :a, #b = if_not_exists(b, :b)` applied to an item. */
function applySet(item: Record<string, unknown>, expression: string, names: Record<string, string>, values: Record<string, AttributeValue>): void {
  const name = (token: string) => names[token] ?? token;
  for (const assignment of expression.replace(/^SET\s+/i, '').split(/,\s*(?![^()]*\))/)) {
    const [left, right] = assignment.split('=').map((part) => part.trim());
    const ifNotExists = /^if_not_exists\(\s*([^,]+),\s*(:\w+)\s*\)$/.exec(right);
    if (ifNotExists) {
      if (item[name(ifNotExists[1])] === undefined) item[name(left)] = plain(values[ifNotExists[2]]);
    } else {
      item[name(left)] = plain(values[right]);
    }
  }
}

/**
 * A new DynamoDB client with static credentials and an in-memory audit table behind it.
 *
 * @example
 * const table = fakeAuditTable();
 * await handler({ restoreId: 'r-1', input }); // with deps { dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName } }
 */
export function fakeAuditTable(tableName = 'audit'): FakeAuditTable {
  const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const items = new Map<string, Record<string, unknown>>();
  const failNext: Error[] = [];
  const failIfAsked = () => {
    const error = failNext.shift();
    if (error) throw error;
  };
  mock.on(GetItemCommand).callsFake(async (input) => {
    failIfAsked();
    const item = items.get(input.Key.restoreId.S);
    if (!item) return {};
    const attribute = (v: unknown): AttributeValue => (Array.isArray(v) ? { L: v.map((s) => ({ S: s })) } : { S: v as string });
    return { Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attribute(v)])) };
  });
  mock.on(UpdateItemCommand).callsFake(async (input) => {
    failIfAsked();
    const id = input.Key.restoreId.S as string;
    const item = items.get(id) ?? { restoreId: id };
    applySet(item, input.UpdateExpression, input.ExpressionAttributeNames ?? {}, input.ExpressionAttributeValues ?? {});
    items.set(id, item);
    return {};
  });
  return { mock, client, tableName, items, failNext };
}
