import { InvalidInputError } from '../../src';
import { checkSwapNames, replacedName } from '../../src/swap/swap-names';

describe('swap names', () => {
  test('the replaced schema is named <live>_replaced_<UTC YYYYMMDDHHMMSS>', () => {
    expect(replacedName('customer_a1', new Date('2024-01-28T14:30:05.999+02:00'))).toBe('customer_a1_replaced_20240128123005');
  });

  test.each([
    [{ live: 'a', with: 'b', keepAs: 'a_old' }, undefined],
    [{ live: 'Acme-Corp', with: 'Acme-Corp restored', keepAs: 'Acme "old"' }, undefined],
    [{ live: 'a', with: 'a', keepAs: 'a_old' }, '--schema and --with both name "a"'],
    [{ live: 'a', with: 'b', keepAs: 'b' }, '--keep-as "b" is one of the two schemas being swapped'],
    [{ live: 'information_schema', with: 'b', keepAs: 'c' }, '--schema "information_schema" is a system schema'],
    [{ live: 'a', with: 'pg_toast', keepAs: 'c' }, '--with "pg_toast" is a system schema'],
    [{ live: 'a', with: 'pgsr_4f1c_0', keepAs: 'c' }, '--with "pgsr_4f1c_0" is a staging schema of a restore'],
    [{ live: 'a', with: 'b', keepAs: `${'x'.repeat(60)}_é` }, undefined], // 63 bytes: the limit itself
    [{ live: 'a', with: 'b', keepAs: `${'x'.repeat(62)}_é` }, 'is 65 bytes, over PostgreSQL\'s 63-byte limit'],
  ])('%j: refused with %s', (names, refusal) => {
    if (refusal === undefined) {
      expect(() => checkSwapNames(names)).not.toThrow();
    } else {
      expect(() => checkSwapNames(names)).toThrow(InvalidInputError);
      expect(() => checkSwapNames(names)).toThrow(refusal);
    }
  });
});
