import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { backupDatabase } from '../../src/backups/backup-database';
import { openBackupStore } from '../../src/backups/backup-store';
import { runCli } from '../../src/cli/program';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { useLocalCluster } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;
let work: string;

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 20, databases: { app: ['customer_a1', 'customer_a2'] } })).app;
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-backup-cli-'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const noRestore = async (): Promise<never> => {
  throw new Error('no restore in backup tests');
};

async function backupCli(args: string[], overrides: Parameters<typeof fakeCli>[1] = {}) {
  const cli = fakeCli(noRestore, overrides);
  const code = await runCli(['backup', ...args], cli.deps);
  return { code, stdout: cli.stdout.text, stderr: cli.stderr.text, errors: cli.stderr.lines().filter((l) => !l.includes('warning:')) };
}

const password = (): string => new URL(url).password;

describe('pg-schema-restore backup to a directory', () => {
  test('prints a summary per schema, logs each archive, and leaves a complete run; the password is nowhere in output or manifest', async () => {
    const to = join(work, 'summary');
    const { code, stdout, stderr } = await backupCli(['--source', url, '--to', to, '--schema', 'customer_a1', '--schema', 'customer_a2', '--jobs', '2']);
    expect(stderr).toMatch(/archive customer_a1 started: /);
    expect(stderr).toMatch(/archive customer_a2 stored: [\d.]+ kB in /);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Backed up 2 schemas of app in .+ to ${to}/app/\\d{4}-\\d\\d-\\d\\dT\\d{6}Z/$`));
    expect(lines[1]).toMatch(/^ {2}data as of \d{4}-\d\d-\d\dT/);
    expect(lines[2]).toMatch(/^ {2}customer_a1 +[\d.]+ kB +\d+ tables +[\d,]+ rows$/);
    expect(lines[4]).toMatch(/^ {2}total +[\d.]+ kB +\d+ tables +[\d,]+ rows$/);
    const [run] = await listBackupRuns(openBackupStore(to));
    expect(run.complete).toBe(true);
    expect(run.manifest!.schemas.map((s) => s.name)).toEqual(['customer_a1', 'customer_a2']);
    const manifestText = readFileSync(join(to, run.path, 'manifest.json'), 'utf8');
    for (const text of [stdout, stderr, manifestText]) expect(text).not.toContain(password());
    // A password on the command line is visible in ps: warned about, as restore does.
    expect(stderr).toMatch(/warning: a password on the command line is visible/);
  }, 60_000);

  test('--json prints {location, manifest, warnings} and nothing else on stdout', async () => {
    const to = join(work, 'json');
    const { code, stdout } = await backupCli(['--source', url, '--to', to, '--schema', 'customer_a1', '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { location: string; manifest: { database: string; schemas: Array<{ name: string; sha256: string }> } };
    expect(Object.keys(printed)).toEqual(['location', 'manifest', 'warnings']);
    expect(printed.location.startsWith(`${to}/app/`)).toBe(true);
    expect(printed.manifest.database).toBe('app');
    expect(printed.manifest.schemas.map((s) => s.name)).toEqual(['customer_a1']);
    expect(printed.manifest.schemas[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(printed.location, 'manifest.json'))).toBe(true);
  }, 60_000);
});

describe('bad input: one line, exit 2, nothing written', () => {
  const to = () => join(work, 'never');
  test.each([
    ['no --to', () => ['--source', url], /^pg-schema-restore: missing --to: where the backup goes/],
    ['no --source', () => ['--to', to()], /^pg-schema-restore: missing --source <postgres-url>/],
    ['--jobs 0', () => ['--source', url, '--to', to(), '--jobs', '0'], /^pg-schema-restore: --jobs must be a positive integer \(got "0"\)/],
    ['--to ftp://', () => ['--source', url, '--to', 'ftp://host/x/'], /^pg-schema-restore: --to takes an s3:\/\/ prefix or a local directory/],
    ['--to s3:// without bucket', () => ['--source', url, '--to', 's3://'], /^pg-schema-restore: --to s3:\/\/ needs a bucket/],
    ['--kms-key with a directory', () => ['--source', url, '--to', to(), '--kms-key', 'alias/x'], /^pg-schema-restore: --kms-key applies to an s3:\/\/ --to only/],
    ['--s3-endpoint not a URL', () => ['--source', url, '--to', 's3://b/p/', '--s3-endpoint', 'localhost:9000'], /^pg-schema-restore: --s3-endpoint must be an http/],
    ['--source not a URL', () => ['--source', 'postgres://a:b/c@h/db', '--to', to()], /^pg-schema-restore: .*--source/],
    ['an unknown schema', () => ['--source', url, '--to', to(), '--schema', 'customer_zz'], /^pg-schema-restore: schema "?customer_zz"? .*not/i],
    ['--lock-wait-timeout not a duration', () => ['--source', url, '--to', to(), '--lock-wait-timeout', 'soon'], /^pg-schema-restore: --lock-wait-timeout /],
    ['a schema name no manifest accepts', () => ['--source', url, '--to', to(), '--schema', 'line\nbreak'], /^pg-schema-restore: schema "line\\nbreak" is not backed up: its name has a control character/],
  ])('%s', async (_name, args, message) => {
    const { code, errors, stdout } = await backupCli(['-q', ...args()]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).not.toContain(password());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(existsSync(to())).toBe(false);
  }, 30_000);

  test('--to under a file is BACKUP_WRITE_FAILED before connecting (with --json, as an error object)', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const { code, errors, stdout } = await backupCli(['-q', '--source', 'postgres://nobody@127.0.0.1:1/none', '--to', join(file, 'backups'), '--json']);
    expect(errors).toEqual([`pg-schema-restore: cannot write backups under ${file}: it is a file, not a directory; choose a directory for --to`]);
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'BACKUP_WRITE_FAILED', message: errors[0].replace('pg-schema-restore: ', '') } });
    expect(code).toBe(2);
  });
});

test('a write that fails midway (the database directory turns into a file) is one BACKUP_WRITE_FAILED line, exit 1, and no run is left', async () => {
  const to = join(work, 'fails');
  const { code, errors } = await backupCli(['-q', '--source', url, '--to', to], {
    // Past the check of --to, something else takes the place where the run's directory goes.
    backup: async (options) => {
      mkdirSync(to);
      writeFileSync(join(to, 'app'), 'in the way');
      return backupDatabase(options);
    },
  });
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(new RegExp(`^pg-schema-restore: cannot write ${to}/app/.+: `));
  expect(code).toBe(1);
  expect(readdirSync(to)).toEqual(['app']);
}, 60_000);
