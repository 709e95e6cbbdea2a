/**
 * A length of time as people say how old a backup is: `45 min`, `2 h 30 min`, `30 h`, `3 d 4 h` (rounded down to
 * the unit shown; a negative age — a clock ahead of the store — shows as `0 min`).
 *
 * @example
 * formatAge(30 * 3_600_000); // '30 h'
 * formatAge(150 * 60_000); // '2 h 30 min'
 * formatAge(76 * 3_600_000); // '3 d 4 h'
 */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
