import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError } from '../../src';
import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { formatRestoreSummary } from '../../src/cli/restore-summary';
import { fakeCli, sampleReport, scriptedRestore } from '../support/cli';

const PASSWORD = 'Tr0ub4dor&3';
const SOURCE = `postgres://admin:${encodeURIComponent(PASSWORD)}@db.internal:5432/tenant_a_past`;
const TARGET = 'postgres://admin@db.internal:5432/tenant_a';
const argv = ['restore', '--source', SOURCE, '--target', TARGET, '--schema', 'customer_a1'];
/** SOURCE carries a password: every run of `argv` that is not quiet warns about it first. */
const WARNING = `pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`;
const failWith = (err: Error) => async (): Promise<never> => {
  throw err;
};

describe('stdout holds results, stderr progress (like pg_dump)', () => {
  test('off a terminal: stdout is exactly the summary, stderr the progress lines', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli(argv, cli.deps)).toBe(0);
    expect(cli.stdout.text).toBe(formatRestoreSummary(sampleReport()));
    const [warning, ...progress] = cli.stderr.lines();
    expect(warning).toBe(WARNING);
    expect(progress).toHaveLength(6);
    expect(progress.every((l) => /^2024-01-28T14:30:00\.000Z /.test(l))).toBe(true);
  });

  test.each([
    ['after the command', [...argv, '-q']],
    ['before the command', ['--quiet', ...argv]],
  ])('-q %s: no progress at all, the summary still on stdout', async (_case, args) => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli(args, cli.deps)).toBe(0);
    expect(cli.stderr.text).toBe('');
    expect(cli.stdout.text).toBe(formatRestoreSummary(sampleReport()));
  });

  test('-q still prints the error line on stderr', async () => {
    const cli = fakeCli(failWith(new ConnectionError('cannot connect to the source')));
    expect(await runCli([...argv, '-q'], cli.deps)).toBe(1);
    expect(cli.stderr.lines()).toEqual(['pg-schema-restore: cannot connect to the source']);
  });

  test('-v adds the stack and causes of a failure, scrubbed; without it a hint names -v', async () => {
    const err = new Error('socket hang up', { cause: new Error(`FATAL for ${SOURCE}`) });
    const plain = fakeCli(failWith(err));
    expect(await runCli(argv, plain.deps)).toBe(1);
    expect(plain.stderr.text).toBe(`${WARNING}\npg-schema-restore: socket hang up (run with -v for details)\n`);

    const verbose = fakeCli(failWith(err));
    expect(await runCli([...argv, '-v'], verbose.deps)).toBe(1);
    expect(verbose.stderr.text).toMatch(/^pg-schema-restore: warning: .*\npg-schema-restore: socket hang up\nError: socket hang up\n\s+at /);
    expect(verbose.stderr.text).toMatch(/caused by: Error: FATAL for postgres:\/\/admin:\*\*\*@db\.internal/);
    expect(verbose.stderr.text).not.toContain('Tr0ub4dor');
  });

  test('-q with -v is bad usage: exit 2, nothing restored', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli([...argv, '-q', '-v'], cli.deps)).toBe(2);
    expect(cli.stderr.lines()).toEqual(['pg-schema-restore: -q/--quiet and -v/--verbose cannot be combined; use one of them']);
    expect(cli.calls).toEqual([]);
  });
});

describe('--json failures: one {"error":…} line on stdout', () => {
  const errorLine = (stdout: string): unknown => {
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    return JSON.parse(stdout);
  };

  test('bad input (exit 2): the library code, the message as on stderr, no password', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli(['restore', '--source', SOURCE, '--target', TARGET, '--json'], cli.deps)).toBe(2);
    const { error } = errorLine(cli.stdout.text) as { error: { code: string; message: string } };
    expect(error.code).toBe('INVALID_INPUT');
    expect(cli.stderr.lines()).toEqual([`pg-schema-restore: ${error.message}`]);
    expect(error.message).toMatch(/^at least one --schema <name> is required/);
    expect(cli.calls).toEqual([]);
  });

  test('a usage error commander finds (unknown option) is INVALID_INPUT too', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli([...argv, '--json', '--no-such-option'], cli.deps)).toBe(2);
    expect(errorLine(cli.stdout.text)).toEqual({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/unknown option '--no-such-option'/) } });
  });

  test('a failed restore (exit 1): its code, the password scrubbed like on stderr', async () => {
    const cli = fakeCli(failWith(new ConnectionError(`cannot connect to ${SOURCE}: password "${PASSWORD}" rejected`)));
    expect(await runCli([...argv, '--json'], cli.deps)).toBe(1);
    const message = 'cannot connect to postgres://admin:***@db.internal:5432/tenant_a_past: password "***" rejected';
    expect(errorLine(cli.stdout.text)).toEqual({ error: { code: 'CONNECTION_FAILED', message } });
    expect(cli.stderr.lines()).toEqual([WARNING, `pg-schema-restore: ${message}`]);
  });

  test('an error that is not the library\'s is INTERNAL', async () => {
    const cli = fakeCli(failWith(new TypeError('x is undefined')));
    expect(await runCli([...argv, '--json'], cli.deps)).toBe(1);
    expect(errorLine(cli.stdout.text)).toEqual({ error: { code: 'INTERNAL', message: 'x is undefined' } });
  });

  test('cleanup --json: an unreadable ledger is LEDGER_CORRUPT on stdout, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-cli-json-'));
    try {
      const ledger = join(dir, 'ledger.json');
      writeFileSync(ledger, '{not json');
      const cli = fakeCli(scriptedRestore());
      expect(await runCli(['cleanup', '--ledger', ledger, '--json'], cli.deps)).toBe(2);
      expect(errorLine(cli.stdout.text)).toEqual({ error: { code: 'LEDGER_CORRUPT', message: expect.stringContaining(`the resource ledger ${ledger} is unreadable`) } });
      expect(cli.stderr.lines()).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
