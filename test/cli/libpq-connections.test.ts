import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { restoreSchema } from '../../src/restore-schema';
import { createSampleDatabases, sampleRowCounts } from '../../src/sample';
import { fakeCli } from '../support/cli';
import { execSql, useLocalCluster } from '../support/postgres';

const PASSWORD = 'l1bpq-Style';
const cluster = useLocalCluster({ password: PASSWORD });

describe('pg-schema-restore restore with libpq connection strings', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    await createSampleDatabases(cluster(), { rows: 30, databases: { tenant_a: ['customer_a1'] } });
    await execSql(cluster().url('postgres'), 'CREATE DATABASE tenant_a_past TEMPLATE tenant_a');
    dir = mkdtempSync(join(tmpdir(), 'pgsr-cli-libpq-'));
    const { port, user } = cluster();
    writeFileSync(join(dir, 'services.conf'), `[live]\nhost=127.0.0.1\nport=${port}\nuser=${user}\ndbname=tenant_a\nsslmode=disable\n`);
    writeFileSync(join(dir, 'pgpass'), `127.0.0.1:${port}:*:${user}:${PASSWORD}\n`, { mode: 0o600 });
    // Nothing in ~: the service file and the password file are temporary, named by the environment.
    Object.assign(process.env, { PGSERVICEFILE: join(dir, 'services.conf'), PGSYSCONFDIR: dir, PGPASSFILE: join(dir, 'pgpass') });
  });
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('--target "service=live" and --source "host=<socket dir> …": the restore runs, pg_dump included, with no password anywhere in argv', async () => {
    const { socketDir, port, user } = cluster();
    const cli = fakeCli(restoreSchema);
    const code = await runCli(['restore', '--source', `host=${socketDir} port=${port} user=${user} dbname=tenant_a_past`, '--target', 'service=live',
      '--schema', 'customer_a1', '--suffix', '_libpq', '--json'], cli.deps);
    expect(cli.stderr.text).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(cli.stdout.text);
    expect(report.schemas[0]).toMatchObject({ source: 'customer_a1', restored: 'customer_a1_libpq' });
    expect(report.schemas[0].tables.find((t: { name: string }) => t.name === 'orders')).toMatchObject({ rows: sampleRowCounts(30).orders, checksumMatch: true });
  });

  test('a password in --source warns once on stderr, never showing it', async () => {
    const { port, user } = cluster();
    const cli = fakeCli(restoreSchema);
    const source = `host=127.0.0.1 port=${port} user=${user} password=${PASSWORD} dbname=tenant_a_past sslmode=disable`;
    expect(await runCli(['restore', '--source', source, '--target', 'service=live', '--schema', 'customer_a1', '--dry-run', '--json'], cli.deps)).toBe(0);
    expect(cli.stderr.lines()).toEqual([`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`]);
    expect(cli.stderr.text + cli.stdout.text).not.toContain(PASSWORD);
  });

  test('a server that wants a password nobody gave: the CLI asks once, before the display starts, and the whole run uses it', async () => {
    await execSql(cluster().url('postgres'), 'CREATE ROLE asked LOGIN PASSWORD \'Typed-1n\'');
    const questions: string[] = [];
    const cli = fakeCli(restoreSchema, {
      passwordPrompt: async (question) => {
        questions.push(question);
        return 'Typed-1n';
      },
    });
    const target = `host=127.0.0.1 port=${cluster().port} user=asked dbname=tenant_a sslmode=disable`;
    expect(await runCli(['restore', '--source', 'service=live', '--target', target, '--schema', 'customer_a1', '--dry-run', '--json'], cli.deps)).toBe(0);
    expect(questions).toEqual(['Password for user asked: ']);
    expect(JSON.parse(cli.stdout.text).schemas[0]).toMatchObject({ source: 'customer_a1' });
    expect(cli.stderr.text).toBe('');
  });

  test.each([
    [['--target', 'host=127.0.0.1 dbname'], /^pg-schema-restore: missing "=" after "dbname" in --target; write keyword=value pairs, e\.g\. "host=db dbname=tenant_a"; e\.g\. --target /],
    [['--target', 'service=nope'], /^pg-schema-restore: definition of service "nope" not found in .*services\.conf or .*pg_service\.conf; define it there/],
    [['--source', "host=db password='unterminated"], /^pg-schema-restore: unterminated quoted value of "password" in --source;/],
  ])('a bad connection %j exits 2 with one line', async (args, message) => {
    const cli = fakeCli(restoreSchema);
    const argv = ['restore', '--source', 'service=live', '--target', 'service=live', '--schema', 'customer_a1', '-q', ...args];
    expect(await runCli(argv, cli.deps)).toBe(2);
    expect(cli.stderr.lines()).toEqual([expect.stringMatching(message)]);
    expect(cli.stderr.text).not.toContain('unterminated\'');
  });
});
