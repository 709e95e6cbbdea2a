import { InvalidInputError } from '../errors';

// As in postgresql.conf: the units are powers of 1024, spelled kB, MB, GB, TB (any case accepted).
const UNITS: Record<string, number> = { '': 1, 'b': 1, 'kb': 1024, 'mb': 1024 ** 2, 'gb': 1024 ** 3, 'tb': 1024 ** 4 };

/**
 * A size option in bytes: a whole number with an optional unit (`256MB`, `1 GB`, `8kB`, `4096`),
 * units being powers of 1024 like PostgreSQL's settings; `off` means 0. Anything else is an
 * {@link InvalidInputError} naming the option and a valid example.
 *
 * @example
 * parseByteSize('256MB', '--split-tables-larger-than'); // 268435456
 * parseByteSize('off', '--split-tables-larger-than');   // 0
 */
export function parseByteSize(value: string, option: string): number {
  const text = value.trim().toLowerCase();
  if (text === 'off') return 0;
  const match = /^(\d+)\s*([a-z]*)$/.exec(text);
  const unit = match ? UNITS[match[2]] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new InvalidInputError(`${option} must be a size such as 256MB, 1GB or 0 (kB, MB, GB, TB; "off" never splits), got "${value}"`);
  }
  return bytes;
}
