const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/**
 * Bytes in human units (powers of 1000, like `pg_size_pretty` prints them, one decimal).
 *
 * @example
 * formatBytes(48_213); // '48.2 kB'
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration for people: `850 ms`, `12.3 s`, `4 min 05 s`.
 *
 * @example
 * formatDuration(245_000); // '4 min 05 s'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
}

/**
 * A count with thousands separators, independent of the machine's locale.
 *
 * @example
 * formatCount(1234567); // '1,234,567'
 */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A moment for people and logs: ISO 8601 in UTC, milliseconds only when there are some.
 *
 * @example
 * formatInstant(new Date('2024-01-28T15:30:00+01:00')); // '2024-01-28T14:30:00Z'
 */
export function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
