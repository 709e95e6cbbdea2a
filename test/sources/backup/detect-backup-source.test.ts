import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSourceArg } from '../../../src/cli/source-arg';
import { asBackupSource, holdsBackupRuns } from '../../../src/sources/backup/detect-backup-source';
import { useLocalS3 } from '../../support/s3';

const s3 = useLocalS3(['backups']);
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pgsr-test-detect-'));
  mkdirSync(join(root, 'runs', 'app', '2026-11-27T190212Z'), { recursive: true });
  writeFileSync(join(root, 'runs', 'app', '2026-11-27T190212Z', 'manifest.json'), '{}');
  mkdirSync(join(root, 'unfinished', 'app', '2026-11-27T190212Z'), { recursive: true });
  writeFileSync(join(root, 'unfinished', 'app', '2026-11-27T190212Z', 'customer_a1.dump.partial'), 'PGDMP');
  mkdirSync(join(root, 'dump-dir'));
  writeFileSync(join(root, 'dump-dir', 'toc.dat'), 'PGDMP');
  await s3().put('backups', 'nightly/app/2026-11-27T190212Z/customer_a1.dump', 'PGDMP');
  await s3().put('backups', 'nightly/app/2026-11-27T190212Z/manifest.json', '{}');
  await s3().put('backups', 'plain/tenant_a-2026-11-26.dump', 'PGDMP');
  await s3().put('backups', 'plain/tenant_a-2026-11-27.dump', 'PGDMP');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('a directory holds backup runs when a <time>/manifest.json is in it or one level down; not a pg_dump directory, not a run without manifest', () => {
  expect(holdsBackupRuns(join(root, 'runs', 'app'))).toBe(true);
  expect(holdsBackupRuns(join(root, 'runs'))).toBe(true);
  expect(holdsBackupRuns(join(root, 'unfinished', 'app'))).toBe(false);
  expect(holdsBackupRuns(join(root, 'dump-dir'))).toBe(false);
  expect(holdsBackupRuns(join(root, 'missing'))).toBe(false);
});

test('--source: a directory of runs is a backup (with or without --at); an s3:// prefix with --at is one; toc.dat directories, files and prefixes without --at stay dumps', () => {
  const at = new Date('2026-11-27T20:00:00Z');
  expect(parseSourceArg(join(root, 'runs', 'app'))).toEqual({ kind: 'backup', location: join(root, 'runs', 'app') });
  expect(parseSourceArg(join(root, 'runs', 'app'), { at })).toEqual({ kind: 'backup', location: join(root, 'runs', 'app'), at });
  expect(parseSourceArg('s3://backups/nightly/app/', { at })).toEqual({ kind: 'backup', location: 's3://backups/nightly/app/', at });
  expect(parseSourceArg('s3://backups/nightly/app/')).toEqual({ kind: 'dump', path: 's3://backups/nightly/app/' });
  expect(parseSourceArg(join(root, 'dump-dir'))).toEqual({ kind: 'dump', path: join(root, 'dump-dir') });
  // With --at, a directory without runs yet is a backup location too: the restore then says there is no complete backup.
  expect(parseSourceArg(join(root, 'unfinished'), { at })).toEqual({ kind: 'backup', location: join(root, 'unfinished'), at });
  expect(() => parseSourceArg(join(root, 'dump-dir'), { at })).toThrow(/^--at applies to pitr: and rds: sources only; a pg_dump archive/);
  expect(() => parseSourceArg('s3://backups/a.dump', { at })).toThrow(/^--at applies to pitr: and rds: sources only; a pg_dump archive/);
  expect(() => parseSourceArg(join(root, 'runs', 'app'), { at, snapshot: 'snap-1' })).toThrow(/--snapshot/);
});

test('an s3:// prefix is a backup source when a run manifest is under it; one of plain archives keeps meaning "the newest object"', async () => {
  const options = { client: s3().client };
  expect(await asBackupSource({ kind: 'dump', path: 's3://backups/nightly/app/' }, options)).toEqual({ kind: 'backup', location: 's3://backups/nightly/app/' });
  expect(await asBackupSource({ kind: 'dump', path: 's3://backups/nightly/' }, options)).toEqual({ kind: 'backup', location: 's3://backups/nightly/' });
  expect(await asBackupSource({ kind: 'dump', path: 's3://backups/plain/' }, options)).toBeUndefined();
  expect(await asBackupSource({ kind: 'dump', path: 's3://backups/nightly/app/2026-11-27T190212Z/customer_a1.dump' }, options)).toBeUndefined();
  expect(await asBackupSource({ kind: 'dump', path: 's3://no-such-bucket/x/' }, options)).toBeUndefined();
  expect(await asBackupSource({ kind: 'dump', path: join(root, 'runs', 'app') })).toEqual({ kind: 'backup', location: join(root, 'runs', 'app') });
});
