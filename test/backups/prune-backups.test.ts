import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { openBackupStore } from '../../src/backups/backup-store';
import { pruneBackups } from '../../src/backups/prune-backups';
import { setRunWriteTime, useBackupDirectory, writeSyntheticRuns } from '../support/backup-runs';
import { useLocalS3 } from '../support/s3';

const s3 = useLocalS3(['backups']);
const NOW = new Date('2026-11-27T12:00:00Z');
const directory = useBackupDirectory();
let dir: string;
beforeEach(() => {
  dir = directory();
});

/** Nightly complete runs of app on November 20..27, plus an old incomplete one and a young incomplete one. */
const fill = (location: string, options = {}): Promise<void> => writeSyntheticRuns(location, [
  ...Array.from({ length: 8 }, (_, i) => ({ at: `2026-11-${20 + i}T02:00:00Z`, schemas: { customer_a1: 1000, customer_a2: 500 } })),
  { at: '2026-11-19T03:00:00Z', complete: false },
  { at: '2026-11-27T11:00:00Z', complete: false },
], options);

test('deletes every file of the runs the policy does not keep, and the incomplete run older than a day; keeps the rest', async () => {
  await fill(dir);
  setRunWriteTime(dir, 'app/2026-11-19T030000Z/', new Date('2026-11-19T03:10:00Z'));
  setRunWriteTime(dir, 'app/2026-11-27T110000Z/', new Date('2026-11-27T11:30:00Z'));
  const result = await pruneBackups({ from: dir, keepDaily: 3, keepWeekly: 2, now: NOW });
  expect(result.decisions.map((d) => [d.run.path, d.action, d.reasons.join(', ')])).toEqual([
    ['app/2026-11-19T030000Z/', 'delete', 'incomplete (no manifest), last written 8 d 8 h ago'],
    ['app/2026-11-20T020000Z/', 'delete', 'no keep rule selects it'],
    ['app/2026-11-21T020000Z/', 'delete', 'no keep rule selects it'],
    ['app/2026-11-22T020000Z/', 'keep', 'weekly snapshot'],
    ['app/2026-11-23T020000Z/', 'delete', 'no keep rule selects it'],
    ['app/2026-11-24T020000Z/', 'delete', 'no keep rule selects it'],
    ['app/2026-11-25T020000Z/', 'keep', 'daily snapshot'],
    ['app/2026-11-26T020000Z/', 'keep', 'daily snapshot'],
    ['app/2026-11-27T020000Z/', 'keep', 'daily snapshot, weekly snapshot'],
    ['app/2026-11-27T110000Z/', 'keep', 'incomplete, last written 30 min ago: may be a backup still running'],
  ]);
  expect(readdirSync(join(dir, 'app')).sort()).toEqual(['2026-11-22T020000Z', '2026-11-25T020000Z', '2026-11-26T020000Z', '2026-11-27T020000Z', '2026-11-27T110000Z']);
  expect(result).toMatchObject({ deletedRuns: 5, deletedObjects: 4 * 3 + 1 });
  expect(result.deletedBytes).toBeGreaterThan(4 * 1500 + 1000);
  // What is left is still whole: each kept complete run lists with its manifest.
  const runs = await listBackupRuns(openBackupStore(dir));
  expect(runs.filter((r) => r.complete).map((r) => r.objects.length)).toEqual([3, 3, 3, 3]);
});

test('a dry run decides the same and deletes nothing', async () => {
  await fill(dir);
  const before = (await listBackupRuns(openBackupStore(dir))).map((r) => [r.path, r.objects.length]);
  const result = await pruneBackups({ from: dir, keepLast: 1, now: new Date('2026-11-30T00:00:00Z'), dryRun: true });
  expect(result.decisions.filter((d) => d.action === 'delete')).toHaveLength(7 + 2); // all complete runs but the newest, and both incomplete ones
  expect(result).toMatchObject({ deletedRuns: 0, deletedObjects: 0, deletedBytes: 0 });
  expect((await listBackupRuns(openBackupStore(dir))).map((r) => [r.path, r.objects.length])).toEqual(before);
  expect(existsSync(join(dir, 'app', '2026-11-20T020000Z', 'manifest.json'))).toBe(true);
});

test('prunes each database at an S3 prefix on its own, deleting the objects', async () => {
  const options = { client: s3().client };
  await fill('s3://backups/nightly/', options);
  await writeSyntheticRuns('s3://backups/nightly/', [{ database: 'crm', at: '2026-11-01T02:00:00Z' }], options);
  // s3rver stamps objects with the real time: seen from two days on, both incomplete runs are old.
  const result = await pruneBackups({ from: 's3://backups/nightly/', s3: options, keepLast: 2, now: new Date(Date.now() + 2 * 86_400_000) });
  expect(result.decisions.filter((d) => d.action === 'keep').map((d) => d.run.path)).toEqual(['crm/2026-11-01T020000Z/', 'app/2026-11-26T020000Z/', 'app/2026-11-27T020000Z/']);
  const listed = await s3().client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'nightly/' }));
  const runsLeft = [...new Set((listed.Contents ?? []).map((o) => o.Key!.split('/').slice(1, 3).join('/')))].sort();
  expect(runsLeft).toEqual(['app/2026-11-26T020000Z', 'app/2026-11-27T020000Z', 'crm/2026-11-01T020000Z']);
  expect(result.deletedRuns).toBe(8);
});
