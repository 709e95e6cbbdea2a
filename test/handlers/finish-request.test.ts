import { describeStateError, finishRequestHandler } from '../../src/handlers/finish-request.lambda';
import { fakeAuditTable } from '../support/dynamodb';

const NOW = new Date('2024-01-28T16:00:00Z');

describe('describeStateError', () => {
  test('a Lambda error: its message', () => {
    expect(describeStateError({ Error: 'InvalidInputError', Cause: JSON.stringify({ errorType: 'InvalidInputError', errorMessage: '"schemas" must be a non-empty list' }) }))
      .toBe('InvalidInputError: "schemas" must be a non-empty list');
  });

  test('an ECS task that stopped: its exit code and reason', () => {
    expect(describeStateError({ Error: 'States.TaskFailed', Cause: JSON.stringify({ StoppedReason: 'Essential container in task exited', Containers: [{ ExitCode: 3 }] }) }))
      .toBe('the restore task stopped with exit code 3: Essential container in task exited; its log is in the task\'s CloudWatch log group');
  });

  test('anything else as given', () => {
    expect(describeStateError({ Error: 'TemporaryRestoreTimedOut', Cause: 'pgsr-r-1 was not available after 180 polls' })).toBe('TemporaryRestoreTimedOut: pgsr-r-1 was not available after 180 polls');
  });
});

describe('finish-request handler', () => {
  test('writes FAILED with the error and the leftovers, and says so', async () => {
    const table = fakeAuditTable();
    const handler = finishRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName }, now: () => NOW });
    const result = await handler({
      restoreId: 'r-1', status: 'FAILED', error: { Error: 'TemporaryRestoreTimedOut', Cause: 'too slow' }, cleanup: { leftovers: ['rds-instance pgsr-r-1: AccessDenied'] },
    });
    expect(result.message).toBe('restore r-1 failed: TemporaryRestoreTimedOut: too slow; cleanup left 1 temporary resource(s): rds-instance pgsr-r-1: AccessDenied');
    expect(table.items.get('r-1')).toMatchObject({ status: 'FAILED', error: 'TemporaryRestoreTimedOut: too slow', leftovers: ['rds-instance pgsr-r-1: AccessDenied'], finishedAt: NOW.toISOString() });
  });

  test('a cleanup that failed itself is recorded as a leftover', async () => {
    const table = fakeAuditTable();
    const result = await finishRequestHandler({ dynamodb: table.client, env: { AUDIT_TABLE_NAME: table.tableName } })({
      restoreId: 'r-2', status: 'SUCCEEDED', cleanup: { Error: 'Lambda.Unknown', Cause: 'timed out' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.leftovers).toEqual(['cleanup failed (Lambda.Unknown: timed out); the ledger in this record lists what is left']);
  });
});
