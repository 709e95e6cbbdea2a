import { runCli } from '../../src/cli/program';
import { fakeCli } from '../support/cli';
import { createIncident, LIVE, RESTORED } from '../support/incident';
import { createDatabase, execSql, useLocalCluster } from '../support/postgres';

const cluster = useLocalCluster();
const noRestore = async () => {
  throw new Error('diff never restores');
};
let url: string;

beforeAll(async () => {
  url = await createDatabase(cluster(), 'incident');
  await createIncident(url);
  await execSql(url, 'CREATE SCHEMA lonely; CREATE TABLE lonely.t (x int)');
});

/** Run `diff` with the target in PGSR_TARGET, as scripts should pass it (its URL holds the test server's password). */
async function diff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = fakeCli(noRestore);
  process.env.PGSR_TARGET = url;
  try {
    const code = await runCli(['diff', ...args], cli.deps);
    return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
  } finally {
    delete process.env.PGSR_TARGET;
  }
}

describe('pg-schema-restore diff', () => {
  test('prints one line per table with differences, what is on one side only, column notes and a summary; exit 0', async () => {
    const { code, stdout, stderr } = await diff('--schema', LIVE, '--against', RESTORED, '--samples', '2');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')).toEqual([
      'events [no key: whole rows]: 1 deleted (e.g. (kind=x, payload=1)); 1 added (e.g. (kind=z, payload=3))',
      'products [unique key sku]: 1 deleted (e.g. sku=b); 1 added (e.g. sku=d); 1 changed (e.g. sku=c)',
      'users [primary key id]: 2 deleted (e.g. id=3, id=4); 1 added (e.g. id=11); 3 changed (e.g. id=5, id=6)',
      'Tables only in live (not compared): audit_2024',
      'Tables only in restored (not compared): legacy',
      'products: "sku" is text live, character varying(10) restored',
      'products: compared by text form: "sku"',
      'users: only in live, not compared: "nickname"',
      'users: compared by text form: "prefs"',
      `3 of 3 tables differ: 4 deleted, 3 added, 4 changed rows (${LIVE} against ${RESTORED})`,
      '',
    ]);
  });

  test('--json: per table key, counts as numbers, samples as key objects; tables on one side only', async () => {
    const { code, stdout } = await diff('--schema', LIVE, '--against', RESTORED, '--table', 'users', '--table', 'products', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({ schema: LIVE, against: RESTORED, onlyInLive: ['audit_2024'], onlyInRestored: ['legacy'] });
    expect(parsed.tables).toEqual([
      expect.objectContaining({ table: 'products', key: ['sku'], keyKind: 'unique', deleted: 1, added: 1, changed: 1, samples: { deleted: [{ sku: 'b' }], added: [{ sku: 'd' }], changed: [{ sku: 'c' }] } }),
      expect.objectContaining({
        table: 'users',
        key: ['id'],
        keyKind: 'primary',
        deleted: 2,
        added: 1,
        changed: 3,
        columnsOnlyInLive: ['nickname'],
        columnsCompared: ['id', 'email', 'name', 'prefs', 'score'],
        samples: { deleted: [{ id: 3 }, { id: 4 }], added: [{ id: 11 }], changed: [{ id: 5 }, { id: 6 }, { id: 7 }] },
      }),
    ]);
  });

  test('-q prints the summary only, with --target on the command line (no password warning under -q); no differences is exit 0 too', async () => {
    const cli = fakeCli(noRestore);
    expect(await runCli(['-q', 'diff', '--target', url, '--schema', LIVE, '--against', RESTORED, '--table', 'users'], cli.deps)).toBe(0);
    expect(cli.stderr.text).toBe('');
    expect(cli.stdout.text).toBe(`1 of 1 table differ: 2 deleted, 1 added, 3 changed rows (${LIVE} against ${RESTORED})\n`);
    await execSql(url, `CREATE SCHEMA copy_a; CREATE SCHEMA copy_b; CREATE TABLE copy_a.t (id int PRIMARY KEY); CREATE TABLE copy_b.t (id int PRIMARY KEY);
      INSERT INTO copy_a.t VALUES (1); INSERT INTO copy_b.t VALUES (1)`);
    const same = await diff('--schema', 'copy_a', '--against', 'copy_b');
    expect(same).toEqual({ code: 0, stdout: 'No differences in 1 table (copy_a against copy_b)\n', stderr: '' });
  });

  test.each([
    [['--schema', LIVE, '--against', LIVE], `--schema and --against both name "${LIVE}"; compare the live schema with the one restored from it`],
    [['--schema', 'Tenant-B', '--against', RESTORED], 'schema "Tenant-B" (--schema) does not exist in the target database; check the name (it is case-sensitive); did you mean "Tenant-A"?'],
    [['--schema', LIVE, '--against', 'nope'], 'schema "nope" (--against) does not exist in the target database; check the name (it is case-sensitive)'],
    [['--schema', LIVE, '--against', RESTORED, '--table', 'prodcts'], `no table "prodcts" in schema "${LIVE}" or "${RESTORED}"; did you mean "products"?`],
    [['--schema', LIVE, '--against', RESTORED, '--table', 'legacy'], `table "legacy" exists only in the restored schema "${RESTORED}" (dropped live since); nothing to compare it with`],
    [['--schema', LIVE, '--against', 'lonely'], `schemas "${LIVE}" and "lonely" have no table in common; check that --against names the schema restored from this one`],
    [['--schema', LIVE, '--against', RESTORED, '--samples', 'many'], '--samples must be a whole number of 0 or more (got "many"), e.g. --samples 10'],
    [['--schema', LIVE], 'missing --against <schema>: the schema restored from it, e.g. --against customer_a1_20240128143000'],
  ])('bad input %j: one line, exit 2, nothing on stdout', async (args, message) => {
    const { code, stdout, stderr } = await diff(...args);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `pg-schema-restore: ${message}\n` });
  });

  test('bad input with --json: the error object on stdout with its code', async () => {
    const { code, stdout } = await diff('--schema', 'Tenant-B', '--against', RESTORED, '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'SCHEMA_NOT_FOUND', message: expect.stringMatching(/^schema "Tenant-B" \(--schema\) does not exist/) } });
  });
});
