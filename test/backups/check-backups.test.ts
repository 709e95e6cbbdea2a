import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkBackups } from '../../src/backups/check-backups';
import { SyntheticRun, useBackupDirectory, writeSyntheticRuns } from '../support/backup-runs';
import { useLocalS3 } from '../support/s3';

const s3 = useLocalS3(['backups']);
const HOUR = 3_600_000;
const directory = useBackupDirectory();
let dir: string;
beforeEach(() => {
  dir = directory();
});

const write = (runs: readonly SyntheticRun[], location = dir, options = {}): Promise<void> => writeSyntheticRuns(location, runs, options);

/** Nightly runs at 02:00 UTC on November's days `first`..`last`, each of `bytes`. */
function nightly(first: number, last: number, bytes: number, database = 'app'): SyntheticRun[] {
  return Array.from({ length: last - first + 1 }, (_, i) => ({ database, at: `2026-11-${String(first + i).padStart(2, '0')}T02:00:00Z`, schemas: { customer_a1: bytes } }));
}

const at = (iso: string): Date => new Date(iso);

test('healthy: the newest complete backup is young enough and as large as usual; a newer incomplete run does not count', async () => {
  await write([...nightly(20, 27, 10_000), { at: '2026-11-27T03:00:00Z', complete: false }]);
  const result = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, minBytes: 5_000, now: at('2026-11-27T05:00:00Z') });
  expect(result.ok).toBe(true);
  expect(result.problems).toEqual([]);
  expect(result.newest).toMatchObject({ database: 'app', path: 'app/2026-11-27T020000Z/', complete: true });
  expect(result.databases.map((d) => d.database)).toEqual(['app']);
});

test('too old: says how old, when it was taken, and the limit', async () => {
  await write(nightly(25, 27, 10_000));
  const result = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, now: at('2026-11-28T08:00:00Z') });
  expect(result.ok).toBe(false);
  expect(result.problems).toEqual(['the newest backup is 30 h old (taken 2026-11-27T02:00:00Z), more than the 25 h allowed']);
  expect((await checkBackups({ from: dir, maxAgeMs: 31 * HOUR, now: at('2026-11-28T08:00:00Z') })).ok).toBe(true);
});

test('smaller than the minimum size', async () => {
  await write(nightly(27, 27, 10_000));
  const result = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, minBytes: 1_000_000, now: at('2026-11-27T05:00:00Z') });
  expect(result.problems).toEqual([expect.stringMatching(/^the newest backup is 10\.\d kB, smaller than the minimum of 1\.0 MB$/)]);
});

test('shrank: below half the median of the 7 complete backups before it, saying by how much', async () => {
  // Eight tiny old runs would pull a median over every run down; only the last 7 count.
  await write([...nightly(1, 8, 100), ...nightly(19, 25, 10_000), ...nightly(26, 26, 3_000)]);
  const now = at('2026-11-26T05:00:00Z');
  const result = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, now });
  expect(result.problems).toEqual([expect.stringMatching(/^the newest backup is 3\d% of the usual size \(3\.\d kB vs 10\.\d kB, the median of the 7 before it\)$/)]);
  rmSync(join(dir, 'app', '2026-11-26T020000Z'), { recursive: true });
  await write(nightly(26, 26, 6_000)); // 60%: a normal day
  expect((await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, now })).ok).toBe(true);
});

test('several databases are judged each on its own, the problems naming theirs', async () => {
  await write([...nightly(25, 27, 10_000), ...nightly(20, 25, 10_000, 'crm')]);
  const result = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR, now: at('2026-11-27T05:00:00Z') });
  expect(result.problems).toEqual(['the newest backup of crm is 2 d 3 h old (taken 2026-11-25T02:00:00Z), more than the 25 h allowed']);
  expect(result.databases.map((d) => [d.database, d.newest.path, d.problems.length])).toEqual([['app', 'app/2026-11-27T020000Z/', 0], ['crm', 'crm/2026-11-25T020000Z/', 1]]);
  expect(result.newest?.path).toBe('app/2026-11-27T020000Z/');
  expect((await checkBackups({ from: dir, database: 'app', maxAgeMs: 25 * HOUR, now: at('2026-11-27T05:00:00Z') })).ok).toBe(true);
});

test('no complete backup: an empty location, or only incomplete runs', async () => {
  const empty = await checkBackups({ from: dir, maxAgeMs: 25 * HOUR });
  expect(empty).toEqual({ ok: false, problems: [`no complete backup under ${dir}/`], databases: [] });
  await write([{ at: '2026-11-27T02:00:00Z', complete: false }]);
  expect((await checkBackups({ from: dir, maxAgeMs: 25 * HOUR })).problems).toEqual([`no complete backup under ${dir}/ (only 1 incomplete run)`]);
});

test('checks backups under an S3 prefix', async () => {
  const options = { client: s3().client };
  await write(nightly(26, 27, 10_000), 's3://backups/daily/', options);
  const from = 's3://backups/daily/';
  expect((await checkBackups({ from, s3: options, maxAgeMs: 25 * HOUR, now: at('2026-11-27T05:00:00Z') })).ok).toBe(true);
  expect((await checkBackups({ from, s3: options, maxAgeMs: 2 * HOUR, now: at('2026-11-27T04:30:00Z') })).problems)
    .toEqual(['the newest backup is 2 h 30 min old (taken 2026-11-27T02:00:00Z), more than the 2 h allowed']);
  expect((await checkBackups({ from, s3: options, maxAgeMs: 90 * 60_000, now: at('2026-11-27T03:35:00Z') })).problems)
    .toEqual(['the newest backup is 95 min old (taken 2026-11-27T02:00:00Z), more than the 90 min allowed']);
});
