import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listBackups } from '../../src/backups/list-backups';
import { useBackupDirectory, writeSyntheticRuns } from '../support/backup-runs';
import { useLocalS3 } from '../support/s3';

const s3 = useLocalS3(['backups']);
const directory = useBackupDirectory();
let dir: string;
beforeEach(() => {
  dir = directory();
});

const fill = (location: string, options = {}): Promise<void> => writeSyntheticRuns(location, [
  { at: '2026-11-25T02:00:00Z', schemas: { customer_a1: 1000, customer_a2: 3000 } },
  { database: 'crm', at: '2026-11-26T02:00:00Z', schemas: { tenant_x: 500 } },
  { at: '2026-11-27T02:00:00Z', schemas: { customer_a1: 1200 }, complete: false },
], options);

test('lists every run oldest first: time, database, schemas, total size, complete or why not', async () => {
  await fill(dir);
  const backups = await listBackups({ from: dir });
  expect(backups.map((b) => [b.takenAt.toISOString(), b.database, b.schemas, b.complete])).toEqual([
    ['2026-11-25T02:00:00.000Z', 'app', ['customer_a1', 'customer_a2'], true],
    ['2026-11-26T02:00:00.000Z', 'crm', ['tenant_x'], true],
    ['2026-11-27T02:00:00.000Z', 'app', [], false],
  ]);
  expect(backups[0].bytes).toBeGreaterThan(4000); // archives and manifest
  expect(backups[0].location).toBe(join(dir, 'app', '2026-11-25T020000Z') + '/');
  expect(backups[2].incompleteBecause).toMatch(/^no manifest/);
  expect(backups[2].bytes).toBe(1200);
});

test('filters by database and by schema (an incomplete run by the archives it has)', async () => {
  await fill(dir);
  expect((await listBackups({ from: dir, database: 'crm' })).map((b) => b.path)).toEqual(['crm/2026-11-26T020000Z/']);
  expect((await listBackups({ from: dir, schema: 'customer_a1' })).map((b) => b.path)).toEqual(['app/2026-11-25T020000Z/', 'app/2026-11-27T020000Z/']);
  expect((await listBackups({ from: dir, schema: 'customer_a2' })).map((b) => b.path)).toEqual(['app/2026-11-25T020000Z/']);
  expect(await listBackups({ from: dir, schema: 'nobody' })).toEqual([]);
});

test('a damaged manifest makes the run incomplete, saying what is wrong; an empty or missing location lists nothing', async () => {
  await fill(dir);
  writeFileSync(join(dir, 'crm', '2026-11-26T020000Z', 'manifest.json'), '{"format":');
  const crm = await listBackups({ from: dir, database: 'crm' });
  expect(crm).toHaveLength(1); // without a manifest, the directory above the run names its database
  expect(crm[0]).toMatchObject({ complete: false, database: 'crm', incompleteBecause: expect.stringMatching(/manifest.json is not JSON/) });
  expect(await listBackups({ from: join(dir, 'nothing-here') })).toEqual([]);
});

test('lists runs under an S3 prefix', async () => {
  const options = { client: s3().client };
  await fill('s3://backups/nightly/', options);
  const backups = await listBackups({ from: 's3://backups/nightly/', s3: options });
  expect(backups.map((b) => [b.location, b.complete])).toEqual([
    ['s3://backups/nightly/app/2026-11-25T020000Z/', true],
    ['s3://backups/nightly/crm/2026-11-26T020000Z/', true],
    ['s3://backups/nightly/app/2026-11-27T020000Z/', false],
  ]);
  expect((await listBackups({ from: 's3://backups/nightly/app/', s3: options })).map((b) => b.path)).toEqual(['2026-11-25T020000Z/', '2026-11-27T020000Z/']);
});
