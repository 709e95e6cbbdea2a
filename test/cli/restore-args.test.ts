import { InvalidInputError } from '../../src';
import { parseRestoreArgs, RawRestoreArgs } from '../../src/cli/restore-args';

const valid: RawRestoreArgs = {
  source: 'postgres://admin:s3cret@db.internal:5432/tenant_a_past',
  target: 'postgresql://admin:s3cret@db.internal/tenant_a',
  schema: ['customer_a1'],
  owner: true,
  privileges: true,
  validate: true,
};

function errorOf(raw: RawRestoreArgs): InvalidInputError {
  try {
    parseRestoreArgs(raw);
  } catch (err) {
    return err as InvalidInputError;
  }
  throw new Error('expected an error');
}

describe('parseRestoreArgs', () => {
  test('maps the options onto restoreSchema options, leaving defaults to restoreSchema', () => {
    expect(parseRestoreArgs(valid)).toEqual({
      restore: { source: valid.source, target: valid.target, schemas: ['customer_a1'], skipOwnership: false, skipPrivileges: false, validate: true },
      json: false,
    });
    expect(parseRestoreArgs({
      ...valid, schema: ['customer_a1', 'Order Lines'], suffix: '_restored', jobs: '8', json: true, owner: false, privileges: false, validate: false,
    })).toEqual({
      restore: {
        source: valid.source,
        target: valid.target,
        schemas: ['customer_a1', 'Order Lines'],
        suffix: '_restored',
        jobs: 8,
        skipOwnership: true,
        skipPrivileges: true,
        validate: false,
      },
      json: true,
    });
  });

  test.each([
    [{ schema: undefined }, /^at least one --schema <name> is required: .*e\.g\. --schema customer_a1/],
    [{ schema: [] }, /^at least one --schema <name> is required/],
    [{ schema: [''] }, /^--schema must not be empty/],
    [{ schema: ['a', 'b', 'a'] }, /^--schema "a" is given twice/],
    [{ jobs: '0' }, /^--jobs must be a positive integer \(got "0"\), e\.g\. --jobs 4$/],
    [{ jobs: '-2' }, /^--jobs must be a positive integer/],
    [{ jobs: '1.5' }, /^--jobs must be a positive integer/],
    [{ jobs: 'four' }, /^--jobs must be a positive integer/],
    [{ jobs: '' }, /^--jobs must be a positive integer/],
    [{ suffix: '' }, /^--suffix must not be empty; leave it out/],
    [{ source: undefined }, /^missing --source <postgres-url>: the database holding the past, e\.g\. --source postgres:\/\//],
    [{ target: undefined }, /^missing --target <postgres-url>: the live database/],
    [{ source: 'mysql://root:hunter2@db/shop' }, /^--source must be a postgres:\/\/ or postgresql:\/\/ URL \(got a mysql:\/\/ URL\), e\.g\./],
    [{ target: 'db.internal:5432/tenant_a' }, /^--target must be a postgres:\/\/ or postgresql:\/\/ URL/],
  ] as Array<[Partial<RawRestoreArgs>, RegExp]>)('%o is refused with a message that says how to fix it', (change, message) => {
    const err = errorOf({ ...valid, ...change });
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  test('never echoes a URL, which may carry a password', () => {
    for (const source of ['mysql://root:hunter2@db/shop', 'root:hunter2@db/shop', 'postgres//root:hunter2@db']) {
      expect(errorOf({ ...valid, source }).message).not.toContain('hunter2');
    }
  });
});
