import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortedError, ConnectionError, MissingRolesError, SchemaExistsError, SchemaNotFoundError, ValidationError,
} from '../../src';
import { ARGV_PASSWORD_WARNING } from '../../src/cli/argv-password-warning';
import { runCli } from '../../src/cli/program';
import { fakeCli, restoreUntilAborted, sampleReport, scriptedRestore } from '../support/cli';

const SOURCE = 'postgres://admin:Tr0ub4dor%263@db.internal:5432/tenant_a_past';
const TARGET = 'postgres://admin:Tr0ub4dor%263@db.internal:5432/tenant_a';
const PASSWORD = 'Tr0ub4dor&3';
const argv = ['restore', '--source', SOURCE, '--target', TARGET, '--schema', 'customer_a1'];
/** Printed first by every run of `argv`: its URLs carry a password. */
const WARNING = `pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}`;
const ANSI = /\x1b\[/; // eslint-disable-line no-control-regex

describe('restore command output', () => {
  test('--json prints exactly one JSON object, the report, and nothing else', async () => {
    const report = sampleReport();
    const cli = fakeCli(scriptedRestore(report));
    expect(await runCli([...argv, '--json'], cli.deps)).toBe(0);
    expect(cli.stdout.text.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(cli.stdout.text);
    expect(parsed).toEqual(report);
    expect(Object.keys(parsed)).toEqual(['restoreId', 'restorePoint', 'schemas', 'warnings', 'durationMs']);
    expect(Object.keys(parsed.schemas[0])).toEqual(expect.arrayContaining(['source', 'restored', 'tables', 'sequences']));
    expect(Object.keys(parsed.schemas[0].tables[0])).toEqual(expect.arrayContaining(['name', 'rows', 'checksumMatch']));
    expect(cli.stderr.lines()).toEqual([WARNING]);
    expect(cli.calls[0].onProgress).toBeUndefined();
  });

  test('off a terminal: timestamped plain lines per phase and finished table on stderr, no ANSI codes; the summary on stdout', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli(argv, cli.deps)).toBe(0);
    expect(cli.stdout.text + cli.stderr.text).not.toMatch(ANSI);
    expect(cli.stderr.lines()).toEqual([
      WARNING,
      '2024-01-28T14:30:00.000Z connect started: connecting to the source and the target',
      '2024-01-28T14:30:00.000Z connect done: connected',
      '2024-01-28T14:30:00.000Z copy started: copying 2 tables with 4 workers',
      '2024-01-28T14:30:00.000Z table customer_a1.users: 200 rows, 24.1 kB in 120 ms',
      '2024-01-28T14:30:00.000Z warning: table customer_a1.cache is UNLOGGED',
      '2024-01-28T14:30:00.000Z copy done: copied 2 tables',
    ]);
    expect(cli.stdout.lines()).toEqual([
      'Restored 1 schema in 4.2 s (data as of 2024-01-28T14:30:00.000Z, restore id r-123)',
      '  customer_a1 → customer_a1_20240128143000',
      '    users                                200 rows  ✓ checksum',
      '    orders                             1,234 rows  ✗ checksum differs',
      '    product_sales (materialized view)     50 rows  - not validated',
      '    2 sequences set',
      'Warnings:',
      '  ! table customer_a1.cache is UNLOGGED',
    ]);
  });
});

test('a materialized view refreshed from restored data, whose source copy was stale, is marked refreshed, not failed', async () => {
  const base = sampleReport();
  const schema = base.schemas[0];
  const stale = { ...schema, tables: schema.tables.map((t) => (t.kind === 'materialized view' ? { ...t, checksumMatch: false } : { ...t, checksumMatch: true })) };
  const cli = fakeCli(scriptedRestore({ ...base, schemas: [stale] }));
  expect(await runCli(argv, cli.deps)).toBe(0);
  expect(cli.stdout.lines()).toContain('    product_sales (materialized view)     50 rows  ↻ refreshed (the source\'s copy was stale)');
});

test('an rds: source gets a ledger file: what the restore creates is written there under its restore id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgsr-ledger-cli-'));
  try {
    const ledgerPath = join(dir, 'ledger.json');
    const cli = fakeCli(async (options) => {
      await options.ledger!.record({ kind: 'rds-instance', id: `pgsr-${options.restoreId}` });
      return sampleReport();
    });
    expect(await runCli(['restore', '--source', 'rds:prod-db', '--latest', '--secret', 'prod/login', '--target', TARGET, '--schema', 'customer_a1',
      '--ledger', ledgerPath, '--json'], cli.deps)).toBe(0);
    expect(cli.calls[0].source).toEqual({ kind: 'rds', id: 'prod-db', useLatestRestorableTime: true, secretId: 'prod/login' });
    const entries = JSON.parse(readFileSync(ledgerPath, 'utf8'));
    expect(entries).toEqual([expect.objectContaining({ kind: 'rds-instance', id: `pgsr-${cli.calls[0].restoreId}`, restoreId: cli.calls[0].restoreId })]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('restore command failures', () => {
  test.each([
    { name: 'a connection failure', error: new ConnectionError(`cannot connect to the source database ${SOURCE}: password authentication failed`), code: 1 },
    { name: 'a validation failure', error: new ValidationError('1 table differs from the source: orders', ['orders']), code: 1 },
    { name: 'a missing schema', error: new SchemaNotFoundError('customer_a1', 'the source'), code: 2 },
    { name: 'a taken name', error: new SchemaExistsError('customer_a1_20240128143000'), code: 2 },
    { name: 'missing roles', error: new MissingRolesError(['tenant_a_owner']), code: 2 },
  ])('$name: one stderr line, exit $code', async ({ error, code }) => {
    const cli = fakeCli(async () => {
      throw error;
    });
    expect(await runCli(argv, cli.deps)).toBe(code);
    expect(cli.stderr.lines()).toEqual([WARNING, `pg-schema-restore: ${error.message.split(SOURCE).join(SOURCE.replace(encodeURIComponent(PASSWORD), '***'))}`]);
  });

  test('the passwords of --source and --target never reach stderr, plain or URL-encoded', async () => {
    const cli = fakeCli(async () => {
      throw new Error(`server said: bad password "${PASSWORD}" for ${TARGET}\n    at somewhere (file.js:1:1)`);
    });
    expect(await runCli(argv, cli.deps)).toBe(1);
    expect(cli.stderr.lines()).toHaveLength(2);
    expect(cli.stderr.lines()[1]).toMatch(/^pg-schema-restore: server said: bad password "\*\*\*" for postgres:\/\/admin:\*\*\*@db\.internal/);
    expect(cli.stderr.text).toMatch(/\(run with -v for details\)\n$/);
    expect(cli.stderr.text).not.toContain('Tr0ub4dor');
    expect(cli.stdout.text).not.toContain('Tr0ub4dor');
  });

  test('stacks only with DEBUG=pg-schema-restore, and scrubbed there too', async () => {
    const failing = async (): Promise<never> => {
      throw new ConnectionError('cannot connect', { cause: new Error(`FATAL for ${SOURCE}`) });
    };
    const quiet = fakeCli(failing);
    await runCli(argv, quiet.deps);
    expect(quiet.stderr.text).not.toMatch(/\n\s+at /);
    const debug = fakeCli(failing, { env: { DEBUG: 'express,pg-schema-restore' } });
    await runCli(argv, debug.deps);
    expect(debug.stderr.text).toMatch(/^pg-schema-restore: warning: .*\npg-schema-restore: cannot connect\nConnectionError: cannot connect\n\s+at /);
    expect(debug.stderr.text).toMatch(/caused by: Error: FATAL for postgres:\/\/admin:\*\*\*@/);
    expect(debug.stderr.text).not.toContain('Tr0ub4dor');
  });

  test('--json failure: the error as one JSON line on stdout, one line on stderr', async () => {
    const cli = fakeCli(async () => {
      throw new ValidationError('checksums differ', ['orders']);
    });
    expect(await runCli([...argv, '--json'], cli.deps)).toBe(1);
    expect(cli.stdout.text).toBe(`${JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'checksums differ' } })}\n`);
    expect(cli.stderr.lines()).toEqual([WARNING, 'pg-schema-restore: checksums differ']);
  });
});

describe('restore command interrupts', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)('%s aborts the restore through its signal, waits for its cleanup, exits 130', async (signal) => {
    let cli!: ReturnType<typeof fakeCli>;
    cli = fakeCli(restoreUntilAborted(() => setImmediate(() => cli.signals.emit(signal))));
    const code = await runCli(argv, cli.deps);
    expect(code).toBe(130);
    expect(cli.calls[0].signal?.aborted).toBe(true);
    expect(cli.calls[0].signal?.reason).toBeInstanceOf(AbortedError);
    expect(cli.stderr.lines()).toEqual([
      WARNING,
      expect.stringMatching(/copy started: copying$/),
      expect.stringMatching(/cleanup done: removed what this restore created$/),
      'pg-schema-restore: restore aborted; everything it created has been removed',
    ]);
    expect(cli.stdout.text).toBe('');
    expect(cli.signals.listenerCount('SIGINT') + cli.signals.listenerCount('SIGTERM')).toBe(0);
    expect(cli.exits).toEqual([]);
  });

  test('a second Ctrl-C leaves at once with 130', async () => {
    let cli!: ReturnType<typeof fakeCli>;
    cli = fakeCli(restoreUntilAborted(() => setImmediate(() => {
      cli.signals.emit('SIGINT');
      cli.signals.emit('SIGINT');
    })));
    await runCli(argv, cli.deps);
    expect(cli.exits).toEqual([130]);
    expect(cli.stderr.text).toMatch(/\npg-schema-restore: interrupted again; leaving without waiting for the cleanup\n/);
  });

  test('signal handlers are removed after a successful restore', async () => {
    const cli = fakeCli(scriptedRestore());
    await runCli(argv, cli.deps);
    expect(cli.signals.listenerCount('SIGINT') + cli.signals.listenerCount('SIGTERM')).toBe(0);
  });
});

test('an unencoded password in --source exits 2 with one line naming --source and the fix, never the password, before any restore', async () => {
  const cli = fakeCli(async () => {
    throw new Error('not reached');
  });
  const source = 'postgres://admin:Tr0ub/4dor#3@db.internal:5432/tenant_a_past';
  expect(await runCli(['restore', '--source', source, '--target', TARGET, '--schema', 'customer_a1'], cli.deps)).toBe(2);
  expect(cli.stderr.text).toMatch(/^pg-schema-restore: --source is not a valid postgres:\/\/ URL: [^\n]*percent-encoded[^\n]*~\/\.pgpass or PGPASSWORD[^\n]*\n$/);
  expect(cli.stderr.text + cli.stdout.text).not.toMatch(/Tr0ub|4dor/);
  expect(cli.calls).toEqual([]);
});
