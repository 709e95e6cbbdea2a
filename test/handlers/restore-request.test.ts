import { parseRestoreRequest } from '../../src/handlers/restore-request';

const copyOnly = { defaultEngine: 'copy' as const, dmsAvailable: false };
const base = { database: 'tenants', schemas: ['customer_a1'] };

describe('parseRestoreRequest', () => {
  test('accepts the reference design\'s input with a restore time, normalised to UTC', () => {
    expect(parseRestoreRequest({ ...base, restoreTime: '2024-01-28T15:30:00+01:00' }, copyOnly))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy' });
  });

  test('accepts a snapshot, a suffix and the DMS engine when it is deployed', () => {
    expect(parseRestoreRequest({ ...base, snapshotId: 'rds:prod-2024-01-28', suffix: '_old', engine: 'dms', tables: [] }, { defaultEngine: 'copy', dmsAvailable: true }))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], snapshotId: 'rds:prod-2024-01-28', suffix: '_old', engine: 'dms' });
  });

  test.each([
    ['not an object', ['customer_a1'], 'must be a JSON object'],
    ['no database', { schemas: ['a'], restoreTime: '2024-01-28T14:30:00Z' }, '"database" must name'],
    ['no schemas', { database: 'd', schemas: [], restoreTime: '2024-01-28T14:30:00Z' }, '"schemas" must be a non-empty list'],
    ['a schema twice', { database: 'd', schemas: ['a', 'a'], restoreTime: '2024-01-28T14:30:00Z' }, 'names "a" twice'],
    ['both restore points', { ...base, restoreTime: '2024-01-28T14:30:00Z', snapshotId: 's' }, 'exactly one of "restoreTime" and "snapshotId"'],
    ['no restore point', base, 'exactly one of "restoreTime" and "snapshotId"'],
    ['a time without zone', { ...base, restoreTime: '2024-01-28T14:30:00' }, 'with a time zone'],
    ['a subset of tables', { ...base, restoreTime: '2024-01-28T14:30:00Z', tables: ['orders'] }, '"tables" is not supported'],
    ['DMS when not deployed', { ...base, restoreTime: '2024-01-28T14:30:00Z', engine: 'dms' }, 'copyEngine DMS'],
    ['an unknown engine', { ...base, restoreTime: '2024-01-28T14:30:00Z', engine: 'pgcopydb' }, '"engine" must be "copy" or "dms"'],
    ['a misspelt field', { ...base, restoreTime: '2024-01-28T14:30:00Z', schema: ['a'] }, 'unknown field "schema"'],
  ])('refuses %s with a message that says how to fix it', (_, input, message) => {
    expect(() => parseRestoreRequest(input, copyOnly)).toThrow(expect.objectContaining({ name: 'InvalidInputError', code: 'INVALID_REQUEST', message: expect.stringContaining(message) }));
  });
});
