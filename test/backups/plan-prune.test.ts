import { planPrune, PrunableRun, RetentionPolicy } from '../../src/backups/plan-prune';
import { isoWeekOf, retentionBucket } from '../../src/backups/retention-buckets';
import { InvalidInputError } from '../../src/errors';

const NOW = new Date('2026-11-27T12:00:00Z');

/** A synthetic run taken at `at` (ISO 8601, UTC). */
function run(at: string, overrides: Partial<PrunableRun> = {}): PrunableRun {
  const takenAt = new Date(at);
  const name = at.replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})/, '$1-$2-$3').replace(/\.\d+/, '');
  return { path: `${overrides.database ?? 'app'}/${name}/`, database: 'app', takenAt, complete: true, lastWriteAt: takenAt, ...overrides };
}

/** One run a day at 02:00 UTC, from `first` to `last` (dates), oldest first. */
function daily(first: string, last: string): PrunableRun[] {
  const runs: PrunableRun[] = [];
  for (let t = Date.parse(`${first}T02:00:00Z`); t <= Date.parse(`${last}T02:00:00Z`); t += 86_400_000) runs.push(run(new Date(t).toISOString()));
  return runs;
}

/** The kept runs' times (date and hour) with their reasons, oldest first. */
function kept(runs: readonly PrunableRun[], policy: RetentionPolicy, now = NOW): Record<string, string> {
  const plan = planPrune({ runs, now, ...policy });
  return Object.fromEntries(plan.filter((d) => d.action === 'keep').map((d) => [d.run.takenAt.toISOString().slice(0, 16), d.reasons.join(', ')]));
}

describe('retention buckets (UTC)', () => {
  test('ISO weeks belong to the year of their Thursday', () => {
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toBe(202653);
    expect(isoWeekOf(new Date('2027-01-03T23:59:59Z'))).toBe(202653);
    expect(isoWeekOf(new Date('2027-01-04T00:00:00Z'))).toBe(202701);
    expect(isoWeekOf(new Date('2024-12-30T00:00:00Z'))).toBe(202501);
    expect(isoWeekOf(new Date('2021-01-03T10:00:00Z'))).toBe(202053);
    expect(isoWeekOf(new Date('2026-11-27T02:00:00Z'))).toBe(202648);
    expect(isoWeekOf(new Date('2026-11-22T23:59:59Z'))).toBe(202647);
  });

  test('days, months and years are UTC calendar ones', () => {
    expect(retentionBucket('daily', new Date('2026-11-27T00:30:00+01:00'))).toBe(20261126);
    expect(retentionBucket('monthly', new Date('2026-12-01T00:30:00+01:00'))).toBe(202611);
    expect(retentionBucket('yearly', new Date('2027-01-01T00:30:00+01:00'))).toBe(2026);
  });
});

describe('planPrune', () => {
  test('keeps the newest run of each of the last N days, ISO weeks and months, as restic forget --keep-* does', () => {
    const runs = daily('2026-10-01', '2026-11-27');
    expect(kept(runs, { keepDaily: 3, keepWeekly: 3, keepMonthly: 2 })).toEqual({
      '2026-10-31T02:00': 'monthly snapshot',
      '2026-11-15T02:00': 'weekly snapshot',
      '2026-11-22T02:00': 'weekly snapshot',
      '2026-11-25T02:00': 'daily snapshot',
      '2026-11-26T02:00': 'daily snapshot',
      '2026-11-27T02:00': 'daily snapshot, weekly snapshot, monthly snapshot',
    });
    const plan = planPrune({ runs, now: NOW, keepDaily: 3, keepWeekly: 3, keepMonthly: 2 });
    expect(plan.map((d) => d.run)).toEqual(runs);
    expect(plan.filter((d) => d.action === 'delete')).toHaveLength(runs.length - 6);
    expect(plan.find((d) => d.run.takenAt.toISOString().startsWith('2026-11-24'))).toMatchObject({ action: 'delete', reasons: ['no keep rule selects it'] });
  });

  test('counts buckets that have a run, not calendar days: gaps do not use up the count', () => {
    const runs = ['2026-11-01', '2026-11-10', '2026-11-20', '2026-11-27'].map((d) => run(`${d}T02:00:00Z`));
    expect(Object.keys(kept(runs, { keepDaily: 3 }))).toEqual(['2026-11-10T02:00', '2026-11-20T02:00', '2026-11-27T02:00']);
  });

  test('ISO weeks and calendar years split differently around New Year', () => {
    const runs = ['2026-12-28', '2027-01-01', '2027-01-03', '2027-01-04'].map((d) => run(`${d}T02:00:00Z`));
    const now = new Date('2027-01-05T00:00:00Z');
    // 2027-01-01 and -03 are in week 53 of 2026; -04 opens week 1 of 2027.
    expect(kept(runs, { keepWeekly: 2 }, now)).toEqual({ '2027-01-03T02:00': 'weekly snapshot', '2027-01-04T02:00': 'weekly snapshot' });
    expect(kept(runs, { keepYearly: 2 }, now)).toEqual({ '2026-12-28T02:00': 'yearly snapshot', '2027-01-04T02:00': 'yearly snapshot' });
  });

  test('days are UTC days, and the newest run of a day is the one kept', () => {
    const runs = [run('2026-11-26T10:00:00Z'), run('2026-11-26T23:30:00Z'), run('2026-11-27T00:30:00Z')];
    expect(kept(runs, { keepDaily: 2 })).toEqual({ '2026-11-26T23:30': 'daily snapshot', '2026-11-27T00:30': 'daily snapshot' });
  });

  test('like restic, the oldest run is kept too while a rule has counts left', () => {
    const runs = [run('2026-11-26T01:00:00Z'), run('2026-11-26T02:00:00Z'), run('2026-11-27T02:00:00Z')];
    expect(kept(runs, { keepDaily: 5 })).toEqual({
      '2026-11-26T01:00': 'oldest daily snapshot', '2026-11-26T02:00': 'daily snapshot', '2026-11-27T02:00': 'daily snapshot',
    });
    expect(Object.keys(kept(runs, { keepDaily: 2 }))).toEqual(['2026-11-26T02:00', '2026-11-27T02:00']);
  });

  test('keepLast keeps the newest N runs; ties in time are broken by the run name (a -2 run is the later one)', () => {
    const runs = daily('2026-11-20', '2026-11-27');
    expect(Object.keys(kept(runs, { keepLast: 2 }))).toEqual(['2026-11-26T02:00', '2026-11-27T02:00']);
    const twins = [run('2026-11-27T02:00:00Z', { path: 'app/2026-11-27T020000Z/' }), run('2026-11-27T02:00:00Z', { path: 'app/2026-11-27T020000Z-2/' })];
    const writtenEarlier = run('2026-11-27T02:00:00Z', { path: 'app/2026-11-27T020000Z-3/', lastWriteAt: new Date('2026-11-27T01:00:00Z') });
    expect(planPrune({ runs: [...twins, writtenEarlier], now: NOW, keepLast: 1 }).find((d) => d.action === 'keep')!.run.path).toBe('app/2026-11-27T020000Z-2/');
    const plan = planPrune({ runs: twins, now: NOW, keepLast: 1 });
    expect(plan.map((d) => [d.run.path, d.action])).toEqual([['app/2026-11-27T020000Z/', 'delete'], ['app/2026-11-27T020000Z-2/', 'keep']]);
    expect(planPrune({ runs: [...twins].reverse(), now: NOW, keepDaily: 1 }).find((d) => d.action === 'keep')!.run.path).toBe('app/2026-11-27T020000Z-2/');
  });

  test('an unlimited count keeps one run per bucket, however many', () => {
    const runs = daily('2025-09-01', '2026-11-27');
    const months = Object.keys(kept(runs, { keepMonthly: Infinity }));
    const reasons = kept(runs, { keepMonthly: Infinity });
    expect(months).toHaveLength(15 + 1); // 15 months, and the oldest run
    expect(months.slice(0, 3)).toEqual(['2025-09-01T02:00', '2025-09-30T02:00', '2025-10-31T02:00']);
    expect(reasons['2025-09-01T02:00']).toBe('oldest monthly snapshot');
  });

  test('never deletes the newest complete backup, whatever the rule', () => {
    const runs = daily('2024-06-01', '2026-11-27');
    for (const policy of [{ keepLast: 1 }, { keepDaily: 1 }, { keepWeekly: 1 }, { keepMonthly: 1 }, { keepYearly: 1 }]) {
      const plan = planPrune({ runs, now: NOW, ...policy });
      expect(plan[plan.length - 1].action).toBe('keep');
      expect(plan.filter((d) => d.action === 'keep')).toHaveLength(1);
    }
  });

  test('incomplete runs: deleted once their last write is over a day old, kept while a backup may still be running; damaged manifests kept', () => {
    const runs = [
      run('2026-11-24T02:00:00Z', { complete: false, lastWriteAt: new Date('2026-11-24T02:05:00Z') }),
      run('2026-11-25T02:00:00Z'),
      run('2026-11-26T02:00:00Z', { complete: false, problem: 'its version 2 is not 1', lastWriteAt: new Date('2026-11-26T02:05:00Z') }),
      run('2026-11-27T11:00:00Z', { complete: false, lastWriteAt: new Date('2026-11-27T11:50:00Z') }),
    ];
    const plan = planPrune({ runs, now: NOW, keepLast: 1 });
    expect(plan.map((d) => [d.action, d.reasons.join(', ')])).toEqual([
      ['delete', 'incomplete (no manifest), last written 3 d 9 h ago'],
      ['keep', 'last snapshot'],
      ['keep', 'unreadable manifest, kept for a person to look at (its version 2 is not 1)'],
      ['keep', 'incomplete, last written 10 min ago: may be a backup still running'],
    ]);
    expect(planPrune({ runs, now: NOW, keepLast: 1, incompleteAfterMs: 5 * 60_000 })[3].action).toBe('delete');
  });

  test('each database is pruned on its own', () => {
    const runs = [
      run('2026-11-25T02:00:00Z'), run('2026-11-25T03:00:00Z', { database: 'crm' }),
      run('2026-11-26T02:00:00Z'), run('2026-11-26T03:00:00Z', { database: 'crm' }),
      run('2026-11-27T02:00:00Z'),
    ];
    const plan = planPrune({ runs, now: NOW, keepLast: 1 });
    expect(plan.filter((d) => d.action === 'keep').map((d) => d.run.path)).toEqual(['crm/2026-11-26T030000Z/', 'app/2026-11-27T020000Z/']);
  });

  test('a policy must keep something, with whole non-negative counts', () => {
    const runs = daily('2026-11-20', '2026-11-27');
    expect(() => planPrune({ runs, now: NOW })).toThrow(InvalidInputError);
    expect(() => planPrune({ runs, now: NOW, keepDaily: 0, keepWeekly: 0 })).toThrow(/at least one keep count above 0/);
    expect(() => planPrune({ runs, now: NOW, keepDaily: -1 })).toThrow(/keepDaily must be a whole number/);
    expect(() => planPrune({ runs, now: NOW, keepDaily: 1.5 })).toThrow(/keepDaily must be a whole number/);
  });
});

/** The snapshot times of restic's TestApplyPolicy (internal/data/snapshot_policy_test.go), UTC, in its order. */
const RESTIC_TIMES = [
  '2014-09-01 10:20:30', '2014-09-02 10:20:30', '2014-09-05 10:20:30', '2014-09-06 10:20:30', '2014-09-08 10:20:30', '2014-09-09 10:20:30', '2014-09-10 10:20:30', '2014-09-11 10:20:30', '2014-09-20 10:20:30', '2014-09-22 10:20:30',
  '2014-08-08 10:20:30', '2014-08-10 10:20:30', '2014-08-12 10:20:30', '2014-08-13 10:20:30', '2014-08-13 10:20:30.1', '2014-08-15 10:20:30', '2014-08-18 10:20:30', '2014-08-20 10:20:30', '2014-08-21 10:20:30', '2014-08-22 10:20:30',
  '2014-10-01 10:20:30', '2014-10-02 10:20:30', '2014-10-05 10:20:30', '2014-10-06 10:20:30', '2014-10-08 10:20:30', '2014-10-09 10:20:30', '2014-10-10 10:20:30', '2014-10-11 10:20:30', '2014-10-20 10:20:30', '2014-10-22 10:20:30',
  '2014-11-08 10:20:30', '2014-11-10 10:20:30', '2014-11-12 10:20:30', '2014-11-13 10:20:30', '2014-11-13 10:20:30.1', '2014-11-15 10:20:30', '2014-11-18 10:20:30', '2014-11-20 10:20:30', '2014-11-21 10:20:30', '2014-11-22 10:20:30',
  '2015-09-01 10:20:30', '2015-09-02 10:20:30', '2015-09-05 10:20:30', '2015-09-06 10:20:30', '2015-09-08 10:20:30', '2015-09-09 10:20:30', '2015-09-10 10:20:30', '2015-09-11 10:20:30', '2015-09-20 10:20:30', '2015-09-22 10:20:30',
  '2015-08-08 10:20:30', '2015-08-10 10:20:30', '2015-08-12 10:20:30', '2015-08-13 10:20:30', '2015-08-13 10:20:30.1', '2015-08-15 10:20:30', '2015-08-18 10:20:30', '2015-08-20 10:20:30', '2015-08-21 10:20:30', '2015-08-22 10:20:30',
  '2015-10-01 10:20:30', '2015-10-02 10:20:30', '2015-10-05 10:20:30', '2015-10-06 10:20:30', '2015-10-08 10:20:30', '2015-10-09 10:20:30', '2015-10-10 10:20:30', '2015-10-11 10:20:30', '2015-10-20 10:20:30', '2015-10-22 10:20:30',
  '2015-10-22 10:20:30', '2015-10-22 10:20:30', '2015-10-22 10:20:30', '2015-10-22 10:20:30', '2015-11-08 10:20:30', '2015-11-10 10:20:30', '2015-11-12 10:20:30', '2015-11-13 10:20:30', '2015-11-13 10:20:30.1', '2015-11-15 10:20:30',
  '2015-11-18 10:20:30', '2015-11-20 10:20:30', '2015-11-21 10:20:30', '2015-11-22 10:20:30', '2016-01-01 01:02:03', '2016-01-01 01:03:03', '2016-01-01 07:08:03', '2016-01-03 07:02:03', '2016-01-04 10:23:03', '2016-01-04 11:23:03',
  '2016-01-04 12:23:03', '2016-01-04 12:24:03', '2016-01-04 12:28:03', '2016-01-04 12:30:03', '2016-01-04 16:23:03', '2016-01-05 09:02:03', '2016-01-06 08:02:03', '2016-01-07 10:02:03', '2016-01-08 20:02:03', '2016-01-09 21:02:03',
  '2016-01-12 21:02:03', '2016-01-12 21:08:03', '2016-01-18 12:02:03',
];

describe('planPrune agrees with restic\'s own golden results (internal/data/testdata/policy_keep_snapshots_N)', () => {
  const runs = RESTIC_TIMES.map((t, i) => run(`${t.replace(' ', 'T')}Z`, { path: `app/${String(i).padStart(3, '0')}/` }));
  const restic = (policy: RetentionPolicy): [string, string][] => planPrune({ runs, now: NOW, ...policy })
    .filter((d) => d.action === 'keep')
    .sort((a, b) => b.run.takenAt.getTime() - a.run.takenAt.getTime())
    .map((d) => [d.run.takenAt.toISOString().slice(0, 19).replace('T', ' '), d.reasons.join(', ')]);

  test('policy 9: last 5, daily 5', () => {
    expect(restic({ keepLast: 5, keepDaily: 5 })).toEqual([
      ['2016-01-18 12:02:03', 'last snapshot, daily snapshot'], ['2016-01-12 21:08:03', 'last snapshot, daily snapshot'],
      ['2016-01-12 21:02:03', 'last snapshot'], ['2016-01-09 21:02:03', 'last snapshot, daily snapshot'],
      ['2016-01-08 20:02:03', 'last snapshot, daily snapshot'], ['2016-01-07 10:02:03', 'daily snapshot'],
    ]);
  });

  test('policy 13: daily 3, weekly 4', () => {
    expect(restic({ keepDaily: 3, keepWeekly: 4 })).toEqual([
      ['2016-01-18 12:02:03', 'daily snapshot, weekly snapshot'], ['2016-01-12 21:08:03', 'daily snapshot, weekly snapshot'],
      ['2016-01-09 21:02:03', 'daily snapshot, weekly snapshot'], ['2016-01-03 07:02:03', 'weekly snapshot'],
    ]);
  });

  test('policy 15: daily 2, weekly 2, monthly 6', () => {
    expect(restic({ keepDaily: 2, keepWeekly: 2, keepMonthly: 6 })).toEqual([
      ['2016-01-18 12:02:03', 'daily snapshot, weekly snapshot, monthly snapshot'], ['2016-01-12 21:08:03', 'daily snapshot, weekly snapshot'],
      ['2015-11-22 10:20:30', 'monthly snapshot'], ['2015-10-22 10:20:30', 'monthly snapshot'], ['2015-09-22 10:20:30', 'monthly snapshot'],
      ['2015-08-22 10:20:30', 'monthly snapshot'], ['2014-11-22 10:20:30', 'monthly snapshot'],
    ]);
  });

  test('policy 17: daily 7, weekly 2, monthly 3, yearly 10', () => {
    expect(restic({ keepDaily: 7, keepWeekly: 2, keepMonthly: 3, keepYearly: 10 })).toEqual([
      ['2016-01-18 12:02:03', 'daily snapshot, weekly snapshot, monthly snapshot, yearly snapshot'],
      ['2016-01-12 21:08:03', 'daily snapshot, weekly snapshot'],
      ...['2016-01-09 21:02:03', '2016-01-08 20:02:03', '2016-01-07 10:02:03', '2016-01-06 08:02:03', '2016-01-05 09:02:03'].map((t) => [t, 'daily snapshot']),
      ['2015-11-22 10:20:30', 'monthly snapshot, yearly snapshot'], ['2015-10-22 10:20:30', 'monthly snapshot'],
      ['2014-11-22 10:20:30', 'yearly snapshot'], ['2014-08-08 10:20:30', 'oldest yearly snapshot'],
    ]);
  });
});
