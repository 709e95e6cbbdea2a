import { parseRestoreRequest } from '../../src/handlers/restore-request';

const copyOnly = { defaultEngine: 'copy' as const, dmsAvailable: false, backupsAvailable: false };
const withBackups = { defaultEngine: 'dms' as const, dmsAvailable: true, backupsAvailable: true };
const base = { database: 'tenants', schemas: ['customer_a1'] };

describe('parseRestoreRequest', () => {
  test('accepts the reference design\'s input with a restore time, normalised to UTC', () => {
    expect(parseRestoreRequest({ ...base, restoreTime: '2024-01-28T15:30:00+01:00' }, copyOnly))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'rds' });
  });

  test('accepts a snapshot, a suffix and the DMS engine when it is deployed', () => {
    expect(parseRestoreRequest({ ...base, snapshotId: 'rds:prod-2024-01-28', suffix: '_old', engine: 'dms', tables: [] }, { defaultEngine: 'copy', dmsAvailable: true, backupsAvailable: false }))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], snapshotId: 'rds:prod-2024-01-28', suffix: '_old', engine: 'dms', source: 'rds' });
  });

  test('"tables" names schema.table in the requested schemas (dots in schema names too), kept as given', () => {
    const input = { database: 'tenants', schemas: ['a', 'a.b'], tables: ['a.b.orders', 'a.orders', 'a.Order Lines'], restoreTime: '2024-01-28T14:30:00Z' };
    expect(parseRestoreRequest(input, copyOnly)).toEqual({ ...input, restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'rds' });
    expect(parseRestoreRequest({ ...base, source: 'backup', tables: ['customer_a1.orders'] }, withBackups)).toMatchObject({ tables: ['customer_a1.orders'], source: 'backup' });
  });

  test.each([
    ['a table without its schema', ['orders'], '"tables" entry "orders" is not schema.table with one of the requested "schemas" (customer_a1); name it with its schema, e.g. "customer_a1.orders"'],
    ['a table outside the requested schemas', ['customer_a1.orders', 'customer_b2.orders'], '"tables" entry "customer_b2.orders" is not schema.table with one of the requested "schemas" (customer_a1)'],
    ['a schema name without a table', ['customer_a1.'], '"tables" entry "customer_a1." is not schema.table'],
    ['not a list', 'customer_a1.orders', '"tables" must be a list of schema.table names (e.g. "customer_a1.orders")'],
    ['an empty name', ['customer_a1.orders', ' '], '"tables" must be a list of schema.table names'],
    ['a table twice', ['customer_a1.orders', 'customer_a1.orders'], '"tables" names "customer_a1.orders" twice'],
  ])('"tables" refuses %s in one line with an example input that has "tables"', (_, tables, message) => {
    let error: Error | undefined;
    try {
      parseRestoreRequest({ ...base, restoreTime: '2024-01-28T14:30:00Z', tables }, copyOnly);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toMatchObject({ name: 'InvalidInputError', code: 'INVALID_REQUEST' });
    expect(error!.message.startsWith(message)).toBe(true);
    expect(error!.message).toContain('; the input looks like {"database": "tenants", "schemas": ["customer_a1"], "tables": ["customer_a1.orders"]');
    expect(error!.message).not.toContain('\n');
  });

  test('"tables" with a requested schema none of whose tables is named is refused', () => {
    expect(() => parseRestoreRequest({ database: 'd', schemas: ['a', 'b'], tables: ['a.orders'], restoreTime: '2024-01-28T14:30:00Z' }, copyOnly))
      .toThrow('schema "b" is requested but none of its tables is in "tables"; name its tables or leave it out of "schemas"');
  });

  test('"source": "backup" with a restore time, or without one for the newest backup; always the copy engine', () => {
    expect(parseRestoreRequest({ ...base, source: 'backup', restoreTime: '2024-01-28T15:30:00+01:00' }, withBackups))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'backup' });
    // The deployment's default engine is DMS here: a backup still goes through the CLI.
    expect(parseRestoreRequest({ ...base, source: 'backup', suffix: '_bak' }, withBackups))
      .toEqual({ database: 'tenants', schemas: ['customer_a1'], suffix: '_bak', engine: 'copy', source: 'backup' });
    expect(parseRestoreRequest({ ...base, source: 'rds', restoreTime: '2024-01-28T14:30:00Z' }, withBackups)).toMatchObject({ source: 'rds', engine: 'dms' });
  });

  test.each([
    ['a snapshot', { ...base, source: 'backup', snapshotId: 'rds:prod-2024-01-28' }, withBackups, '"snapshotId" names an RDS snapshot, not a backup; with "source": "backup" give "restoreTime"'],
    ['the DMS engine', { ...base, source: 'backup', engine: 'dms' }, withBackups, '"engine": "dms" cannot restore from a backup (DMS copies from a database); leave "engine" out'],
    ['a deployment without backups', { ...base, source: 'backup' }, copyOnly, '"source": "backup" needs a SchemaRestore deployed with backups (a TenantBackups); deploy it with the backups prop, or leave "source" out'],
    ['an unknown source', { ...base, source: 'snapshot', restoreTime: '2024-01-28T14:30:00Z' }, withBackups, '"source" must be "backup" or "rds" (got "snapshot")'],
    ['a time without zone', { ...base, source: 'backup', restoreTime: '2024-01-28T14:30:00' }, withBackups, 'with a time zone'],
  ])('"source": "backup" refuses %s in one line that says how to fix it', (_, input, context, message) => {
    let error: Error | undefined;
    try {
      parseRestoreRequest(input, context);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toMatchObject({ name: 'InvalidInputError', code: 'INVALID_REQUEST', message: expect.stringContaining(message) });
    expect(error!.message).not.toContain('\n');
  });

  test('a mistake specific to "source": "backup" shows an input with "source": "backup"', () => {
    expect(() => parseRestoreRequest({ ...base, source: 'backup', engine: 'dms' }, withBackups)).toThrow('the input looks like {"database": "tenants", "schemas": ["customer_a1"], "source": "backup"');
  });

  test.each([
    ['not an object', ['customer_a1'], 'must be a JSON object'],
    ['no database', { schemas: ['a'], restoreTime: '2024-01-28T14:30:00Z' }, '"database" must name'],
    ['no schemas', { database: 'd', schemas: [], restoreTime: '2024-01-28T14:30:00Z' }, '"schemas" must be a non-empty list'],
    ['a schema twice', { database: 'd', schemas: ['a', 'a'], restoreTime: '2024-01-28T14:30:00Z' }, 'names "a" twice'],
    ['both restore points', { ...base, restoreTime: '2024-01-28T14:30:00Z', snapshotId: 's' }, 'exactly one of "restoreTime" and "snapshotId"'],
    ['no restore point', base, 'exactly one of "restoreTime" and "snapshotId"'],
    ['a time without zone', { ...base, restoreTime: '2024-01-28T14:30:00' }, 'with a time zone'],
    ['DMS when not deployed', { ...base, restoreTime: '2024-01-28T14:30:00Z', engine: 'dms' }, 'copyEngine DMS'],
    ['an unknown engine', { ...base, restoreTime: '2024-01-28T14:30:00Z', engine: 'pgcopydb' }, '"engine" must be "copy" or "dms"'],
    ['a misspelt field', { ...base, restoreTime: '2024-01-28T14:30:00Z', schema: ['a'] }, 'unknown field "schema"'],
  ])('refuses %s with a message that says how to fix it', (_, input, message) => {
    expect(() => parseRestoreRequest(input, copyOnly)).toThrow(expect.objectContaining({ name: 'InvalidInputError', code: 'INVALID_REQUEST', message: expect.stringContaining(message) }));
  });
});
