import { runCli } from '../../src/cli/program';
import { fakeCli, scriptedRestore } from '../support/cli';

const SOURCE = 'postgres://admin:Pa55word@db.internal:5432/tenant_a_past';
const TARGET = 'postgres://admin:Pa55word@db.internal:5432/tenant_a';
const base = ['restore', '--source', SOURCE, '--target', TARGET];

async function run(argv: string[]) {
  const cli = fakeCli(scriptedRestore());
  const code = await runCli(argv, cli.deps);
  return { ...cli, code };
}

describe('runCli', () => {
  test('passes every option through to the restore', async () => {
    const { code, calls } = await run([...base, '--schema', 'customer_a1', '--schema', 'Order Lines', '--suffix', '_before_incident',
      '--jobs', '8', '--no-owner', '--no-privileges', '--no-validate']);
    expect(code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      source: SOURCE,
      target: TARGET,
      schemas: ['customer_a1', 'Order Lines'],
      suffix: '_before_incident',
      jobs: 8,
      skipOwnership: true,
      skipPrivileges: true,
      validate: false,
    });
    expect(calls[0].signal).toBeInstanceOf(AbortSignal);
    expect(typeof calls[0].onProgress).toBe('function');
  });

  test.each([
    ['no --schema', base, /^pg-schema-restore: at least one --schema <name> is required/],
    ['a bad --jobs', [...base, '--schema', 's', '--jobs', 'many'], /^pg-schema-restore: --jobs must be a positive integer/],
    ['an empty --suffix', [...base, '--schema', 's', '--suffix', ''], /^pg-schema-restore: --suffix must not be empty/],
    ['a non-postgres URL', ['restore', '--source', 'mysql://admin:Pa55word@db/x', '--target', TARGET, '--schema', 's'], /--source cannot read mysql:\/\/ URLs; use a postgres:\/\/ URL/],
    ['an unknown option', [...base, '--schema', 's', '--sufix', 'x'], /^pg-schema-restore: unknown option '--sufix' \(Did you mean --suffix\?\); see pg-schema-restore --help\n$/],
    ['a missing option value', [...base, '--schema'], /^pg-schema-restore: option '--schema <name>' argument missing/],
    ['an unknown command', ['restor'], /^pg-schema-restore: unknown command 'restor'/],
    ['no command at all', [], /^pg-schema-restore: missing command: use "pg-schema-restore restore \.\.\.", "pg-schema-restore backup \.\.\.", "pg-schema-restore drill \.\.\.", "pg-schema-restore diff \.\.\.", "pg-schema-restore repair \.\.\.", "pg-schema-restore swap \.\.\.", "pg-schema-restore cleanup" or "pg-schema-restore demo"/],
    ['an extra argument', [...base, '--schema', 's', 'extra'], /^pg-schema-restore: too many arguments/],
    ['a bad demo --rows', ['demo', '--rows', '0'], /^pg-schema-restore: --rows must be a positive integer/],
  ])('%s: exit 2, one line on stderr, nothing run', async (_case, argv, message) => {
    const { code, stdout, stderr, calls } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(stderr.lines()).toHaveLength(1);
    expect(stderr.text).toMatch(message);
    expect(stderr.text).not.toContain('Pa55word');
    expect(stdout.text).toBe('');
    expect(calls).toHaveLength(0);
  });

  test('--help and restore --help print usage on stdout and exit 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout.text).toMatch(/Usage: pg-schema-restore \[options\] \[command\]/);
    expect(top.stdout.text).toMatch(/restore \[options\]/);
    expect(top.stdout.text).toMatch(/demo \[options\]/);
    const sub = await run(['restore', '--help']);
    expect(sub.code).toBe(0);
    for (const option of ['--source <source>', '--at <time>', '--s3-endpoint <url>', '--source-database <name>', '--dry-run', '--target <postgres-url>', '--schema <name>', '--suffix <text>', '--jobs <n>', '--split-tables-larger-than <size>', '--json',
      '--no-owner', '--no-privileges', '--no-validate']) {
      expect(sub.stdout.text).toContain(option);
    }
    expect(sub.stderr.text).toBe('');
  });

  test('restore --help shows the options in groups, each option under its group, then examples', async () => {
    const { code, stdout } = await run(['restore', '--help']);
    expect(code).toBe(0);
    const text = stdout.text;
    const groups = ['Source (the past):', 'Target and names:', 'RDS and Aurora sources (--source rds:…):', 'What is restored and how:', 'AWS DMS engine (--engine dms):', 'Output:', 'Examples:'];
    const at = groups.map((g) => text.indexOf(`\n${g}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const groupOf = (option: string): string => groups[at.filter((i) => i < text.indexOf(`  ${option}`)).length - 1];
    expect(groupOf('--at <time>')).toBe('Source (the past):');
    expect(groupOf('--schema <name>')).toBe('Target and names:');
    expect(groupOf('--secret <arn-or-name>')).toBe('RDS and Aurora sources (--source rds:…):');
    expect(groupOf('--lock-timeout <duration>')).toBe('What is restored and how:');
    expect(groupOf('--dms-role <arn>')).toBe('AWS DMS engine (--engine dms):');
    expect(groupOf('--json')).toBe('Output:');
    // The examples are commands this CLI accepts, and none carries a password.
    const examples = text.slice(at[at.length - 1]).split('\n').filter((l) => l.startsWith('  pg-schema-restore restore'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(text.slice(at[at.length - 1])).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]*@/);
  });

  test('--version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^\d+\.\d+\.\d+/);
  });
});
