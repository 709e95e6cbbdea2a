import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase, BackupResult } from '../../src/backups/backup-database';
import { openBackupStore } from '../../src/backups/backup-store';
import { runCli } from '../../src/cli/program';
import { createSampleDatabases } from '../../src/testing';
import { setRunWriteTime, writeSyntheticRun } from '../support/backup-runs';
import { fakeCli, FakeCli } from '../support/cli';
import { useLocalCluster } from '../support/postgres';
import { useLocalS3 } from '../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
const HOUR = 3_600_000;
let dir: string;
let real: BackupResult;
let takenAt: Date;

const noRestore = async (): Promise<never> => {
  throw new Error('backup commands never restore');
};

/** Run the CLI in-process with the clock at `now`; returns the exit code and the output. */
async function cli(argv: string[], now = new Date(takenAt.getTime() + HOUR)): Promise<FakeCli & { code: number }> {
  const fake = fakeCli(noRestore, { now: () => now });
  const code = await runCli(argv, fake.deps);
  return { ...fake, code };
}

beforeAll(async () => {
  const url = (await createSampleDatabases(cluster(), { rows: 30, databases: { app: ['customer_a1', 'customer_a2'] } })).app;
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-backup-cli-'));
  const store = openBackupStore(dir);
  // A week of small older nightly runs, and a run that failed long ago.
  for (let day = 18; day <= 24; day++) await writeSyntheticRun(store, { at: `2026-10-${day}T02:00:00Z`, schemas: { customer_a1: 100, customer_a2: 100 } });
  await writeSyntheticRun(store, { at: '2026-10-17T02:00:00Z', complete: false });
  setRunWriteTime(dir, 'app/2026-10-17T020000Z/', new Date('2026-10-17T02:10:00Z'));
  real = await backupDatabase({ source: url, to: dir });
  takenAt = new Date(real.manifest.snapshotAt);
  await backupDatabase({ source: url, to: 's3://backups/nightly/', schemas: ['customer_a2'], s3: { client: s3().client } });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** AWS credentials for s3rver in the environment, for the default client the CLI builds. */
async function withS3Credentials<T>(work: () => Promise<T>): Promise<T> {
  const env = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  try {
    return await work();
  } finally {
    process.env = env;
  }
}

describe('backup list', () => {
  test('a table of every backup: time, database, size, schemas, complete or why not', async () => {
    const { code, stdout, stderr } = await cli(['backup', 'list', '--from', dir]);
    expect(code).toBe(0);
    expect(stderr.text).toBe('');
    const lines = stdout.lines();
    expect(lines[0]).toMatch(/^ {2}TAKEN \(UTC\) +DATABASE +SIZE +SCHEMAS +STATUS$/);
    expect(lines).toHaveLength(1 + 9);
    expect(lines[1]).toMatch(/^ {2}2026-10-17T02:00:00Z +app +1\.0 kB +- +incomplete: no manifest/);
    expect(lines[2]).toMatch(/^ {2}2026-10-18T02:00:00Z +app +[\d.]+ kB +customer_a1, customer_a2 +complete$/);
    expect(lines[9]).toMatch(new RegExp(`^  ${takenAt.toISOString().slice(0, 19)}(\\.\\d+)?Z +app +[\\d.]+ kB +customer_a1, customer_a2, public +complete$`));
  });

  test('--json gives {"backups":[…]}; --schema keeps the backups that hold it', async () => {
    const { code, stdout } = await cli(['backup', 'list', '--from', dir, '--schema', 'public', '--json']);
    expect(code).toBe(0);
    type Listed = { location: string; takenAt: string; schemas: string[]; complete: boolean; bytes: number };
    const { backups } = JSON.parse(stdout.text) as { backups: Listed[] };
    expect(backups).toEqual([expect.objectContaining({ location: real.location, takenAt: takenAt.toISOString(), schemas: ['customer_a1', 'customer_a2', 'public'], complete: true })]);
    // The archives and the manifest.
    expect(backups[0].bytes).toBeGreaterThan(real.manifest.schemas.reduce((n, s) => n + s.bytes, 0));
  });

  test('an S3 location through --s3-endpoint', async () => {
    const { code, stdout } = await withS3Credentials(() => cli(['backup', 'list', '--from', 's3://backups/nightly/', '--s3-endpoint', s3().endpoint, '--json']));
    expect(code).toBe(0);
    const { backups } = JSON.parse(stdout.text) as { backups: { location: string; schemas: string[] }[] };
    expect(backups.map((b) => b.schemas)).toEqual([['customer_a2']]);
    expect(backups[0].location).toMatch(/^s3:\/\/backups\/nightly\/app\/\d{4}-\d{2}-\d{2}T\d{6}Z\/$/);
  });

  test('a bucket that does not exist is one line and exit 2, as for restore (fix the location)', async () => {
    const { code, stderr, stdout } = await withS3Credentials(() => cli(['backup', 'list', '--from', 's3://no-such-bucket/x/', '--s3-endpoint', s3().endpoint]));
    expect(code).toBe(2);
    expect(stderr.lines()).toEqual([expect.stringMatching(/^pg-schema-restore: .*bucket "no-such-bucket" does not exist/)]);
    expect(stdout.text).toBe('');
  });

  test('bad input is one line and exit 2', async () => {
    for (const argv of [['backup', 'list'], ['backup', 'list', '--from', dir, '--s3-endpoint', 'ftp://x'], ['backup', 'list', '--from', 's3://']]) {
      const { code, stderr, stdout } = await cli(argv);
      expect(code).toBe(2);
      expect(stderr.lines()).toHaveLength(1);
      expect(stderr.text).toMatch(/^pg-schema-restore: (--from|--s3-endpoint)/);
      expect(stdout.text).toBe('');
    }
  });
});

describe('backup check', () => {
  test('exit 0 and one ok line when the newest backup is young and large enough', async () => {
    const { code, stdout } = await cli(['backup', 'check', '--from', dir, '--max-age', '25h', '--min-size', '10kB']);
    expect(stdout.text).toMatch(/^ok: app: newest backup 60 min old \(.+, [\d.]+ kB\)\n$/);
    expect(code).toBe(0);
  });

  test('exit 1 with one line per problem: too old, too small', async () => {
    const { code, stdout } = await cli(['backup', 'check', '--from', dir, '--max-age', '90m', '--min-size', '1GB'], new Date(takenAt.getTime() + 2 * HOUR));
    expect(code).toBe(1);
    expect(stdout.lines()).toEqual([
      expect.stringMatching(/^problem: the newest backup is 2 h old \(taken .+\), more than the 90 min allowed$/),
      expect.stringMatching(/^problem: the newest backup is [\d.]+ kB, smaller than the minimum of 1\.1 GB$/),
    ]);
    const json = await cli(['backup', 'check', '--from', dir, '--max-age', '2d', '--min-size', '1GB', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.text)).toMatchObject({ ok: false, newest: { location: real.location }, problems: [expect.stringMatching(/smaller than the minimum/)] });
  });

  test('exit 1 for a location without any complete backup', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pgsr-test-backup-cli-empty-'));
    try {
      const { code, stdout } = await cli(['backup', 'check', '--from', empty, '--max-age', '25h']);
      expect(code).toBe(1);
      expect(stdout.text).toBe(`problem: no complete backup under ${empty}/\n`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('an S3 location through --s3-endpoint', async () => {
    const { code, stdout } = await withS3Credentials(() => cli(['backup', 'check', '--from', 's3://backups/nightly/app/', '--s3-endpoint', s3().endpoint, '--max-age', '1d']));
    expect(stdout.text).toMatch(/^ok: app: newest backup/);
    expect(code).toBe(0);
  });

  test('bad input is one line and exit 2', async () => {
    for (const [argv, message] of [
      [['--from', dir], /--max-age <duration> is required/],
      [['--from', dir, '--max-age', 'soon'], /--max-age must be a positive duration such as 90s, 30m, 6h or 2d/],
      [['--from', dir, '--max-age', '25h', '--min-size', 'lots'], /--min-size must be a size such as 500MB/],
    ] as const) {
      const { code, stderr } = await cli(['backup', 'check', ...argv]);
      expect(code).toBe(2);
      expect(stderr.lines()).toEqual([expect.stringMatching(message)]);
    }
  });
});

describe('backup prune (runs last: it deletes)', () => {
  test('at least one --keep-* count, whole numbers: else exit 2', async () => {
    for (const [argv, message] of [
      [[], /at least one of --keep-last, --keep-daily/],
      [['--keep-daily', '0'], /at least one of --keep-last/],
      [['--keep-daily', 'seven'], /--keep-daily must be a whole number of backups or "unlimited"/],
    ] as const) {
      const { code, stderr } = await cli(['backup', 'prune', '--from', dir, ...argv]);
      expect(code).toBe(2);
      expect(stderr.lines()).toEqual([expect.stringMatching(message)]);
    }
  });

  test('--dry-run prints what it would keep and delete, and why, and deletes nothing', async () => {
    const before = readdirSync(join(dir, 'app')).sort();
    const { code, stdout } = await cli(['backup', 'prune', '--from', dir, '--keep-last', '3', '--keep-weekly', '2', '--dry-run']);
    expect(code).toBe(0);
    const lines = stdout.lines();
    expect(lines).toHaveLength(9 + 1);
    expect(lines[0]).toMatch(/^ {2}delete +2026-10-17T02:00:00Z +app +1\.0 kB +incomplete \(no manifest\), last written \d+ d( \d+ h)? ago$/);
    expect(lines[1]).toMatch(/^ {2}delete +2026-10-18T02:00:00Z +app .* no keep rule selects it$/);
    expect(lines[6]).toMatch(/^ {2}keep +2026-10-23T02:00:00Z .* last snapshot$/);
    // The newest of the week before that of the real run (the weeks between have no backup).
    expect(lines[7]).toMatch(/^ {2}keep +2026-10-24T02:00:00Z .* last snapshot, weekly snapshot$/);
    expect(lines[8]).toMatch(/^ {2}keep +\d{4}-.* last snapshot, weekly snapshot$/);
    expect(lines[9]).toMatch(/^Dry run: would delete 6 backups \([\d.]+ kB\); nothing was deleted\.$/);
    expect(readdirSync(join(dir, 'app')).sort()).toEqual(before);
  });

  test('deletes what the policy does not keep; never the newest complete backup; S3 too', async () => {
    const { code, stdout } = await cli(['backup', 'prune', '--from', dir, '--keep-daily', '1', '--json']);
    expect(code).toBe(0);
    type Decided = { action: string; location: string; reasons: string[] };
    const result = JSON.parse(stdout.text) as { dryRun: boolean; deletedRuns: number; decisions: Decided[] };
    expect(result).toMatchObject({ dryRun: false, deletedRuns: 8 });
    const kept = result.decisions.filter((d) => d.action === 'keep');
    expect(kept).toEqual([expect.objectContaining({ location: real.location, reasons: ['daily snapshot'] })]);
    expect(readdirSync(join(dir, 'app'))).toEqual([real.location.split('/').filter(Boolean).pop()]);
    const again = await cli(['backup', 'list', '--from', dir, '--json']);
    expect((JSON.parse(again.stdout.text) as { backups: unknown[] }).backups).toHaveLength(1);

    const onS3 = await withS3Credentials(() => cli(['backup', 'prune', '--from', 's3://backups/nightly/', '--s3-endpoint', s3().endpoint, '--keep-last', '1']));
    expect(onS3.code).toBe(0);
    expect(onS3.stdout.lines()).toEqual([expect.stringMatching(/^ {2}keep +.* last snapshot$/), 'Nothing to delete.']);
  });
});
