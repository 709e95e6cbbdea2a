/**
 * The calendar buckets of a retention policy, in UTC, as restic's `forget --keep-*` forms them:
 * `YYYYMMDD` for days, ISO 8601 `YYYYWW` for weeks (a week belongs to the year of its Thursday, so
 * 2027-01-01 is in week 53 of 2026), `YYYYMM` for months, `YYYY` for years.
 */
export type RetentionPeriod = 'daily' | 'weekly' | 'monthly' | 'yearly';

/**
 * The ISO 8601 week of a moment, in UTC, as `year × 100 + week`.
 *
 * @example
 * isoWeekOf(new Date('2027-01-01T12:00:00Z')); // 202653
 * isoWeekOf(new Date('2024-12-30T00:00:00Z')); // 202501
 */
export function isoWeekOf(at: Date): number {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  // The Thursday of the same Monday-to-Sunday week decides the year.
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const year = day.getUTCFullYear();
  const week = Math.floor((day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return year * 100 + week;
}

/**
 * The bucket a moment falls in for a period, in UTC.
 *
 * @example
 * retentionBucket('daily', new Date('2026-11-27T23:59:59Z')); // 20261127
 * retentionBucket('monthly', new Date('2026-11-27T23:59:59Z')); // 202611
 */
export function retentionBucket(period: RetentionPeriod, at: Date): number {
  const year = at.getUTCFullYear();
  switch (period) {
    case 'daily': return year * 10_000 + (at.getUTCMonth() + 1) * 100 + at.getUTCDate();
    case 'weekly': return isoWeekOf(at);
    case 'monthly': return year * 100 + at.getUTCMonth() + 1;
    case 'yearly': return year;
  }
}
