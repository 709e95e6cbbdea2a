import { runCli } from '../../src/cli/program';
import { fakeCli } from '../support/cli';
import { createIncident, LIVE, RESTORED } from '../support/incident';
import { createDatabase, execSql, schemaDigests, useLocalCluster } from '../support/postgres';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
const noRestore = async () => {
  throw new Error('repair never restores');
};
let databases = 0;

async function incident(): Promise<string> {
  const url = await createDatabase(cluster(), `incident_${++databases}`);
  await createIncident(url);
  return url;
}

/** Run `repair` with the target in PGSR_TARGET, as scripts should pass it. */
async function repair(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = fakeCli(noRestore);
  process.env.PGSR_TARGET = url;
  try {
    const code = await runCli(['repair', ...args], cli.deps);
    return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
  } finally {
    delete process.env.PGSR_TARGET;
  }
}

describe('pg-schema-restore repair', () => {
  test('one line per table, then the summary; exit 0; a second run finds nothing left', async () => {
    const url = await incident();
    const { code, stdout, stderr } = await repair(url, '--schema', LIVE, '--from', RESTORED, '--deleted', '--changed', '--table', 'users', '--table', 'products');
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.split('\n')).toEqual([
      'products [key sku]: deleted: re-inserted 1 row; changed: put back 1 row',
      'users [key id]: deleted: re-inserted 2 rows; changed: put back 3 rows',
      `Repaired "${LIVE}" from "${RESTORED}": 3 deleted rows re-inserted, 4 changed rows put back; verified: no deleted, changed rows left`,
      '',
    ]);
    const again = await repair(url, '--schema', LIVE, '--from', RESTORED, '--deleted', '--table', 'users');
    expect(again.stdout).toContain('users [key id]: deleted: re-inserted 0 rows');
  });

  test('--json: the result as one object, counts as numbers', async () => {
    const url = await incident();
    const { code, stdout } = await repair(url, '--schema', LIVE, '--from', RESTORED, '--added', '--json');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ schema: LIVE, from: RESTORED, categories: ['added'], dryRun: false, verified: true, triggers: true, sequences: [] });
    expect(result.tables).toEqual([
      { table: 'events', key: ['kind', 'payload'], keyKind: 'row', added: 1 },
      { table: 'products', key: ['sku'], keyKind: 'unique', added: 1 },
      { table: 'users', key: ['id'], keyKind: 'primary', added: 1 },
    ]);
  });

  test('--dry-run prints the counts, how many --added would delete, and the statements; nothing written', async () => {
    const url = await incident();
    const before = await schemaDigests(url, LIVE);
    const { code, stdout } = await repair(url, '--schema', LIVE, '--from', RESTORED, '--deleted', '--table', 'users', '--where', 'id < 4', '--dry-run');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('users [key id]: deleted: would re-insert 1 row; added: would delete 0 rows with --added');
    expect(lines[1]).toMatch(/^ {2}LOCK TABLE ONLY "Tenant-A"\."users" IN ROW EXCLUSIVE MODE;$/);
    expect(lines[3]).toMatch(/^ {2}INSERT INTO "Tenant-A"\."users" .* WHERE \(id < 4\) AND NOT EXISTS \(SELECT 1 FROM ONLY "Tenant-A"\."users" AS l WHERE l\."id" = r\."id"\);$/);
    expect(lines.at(-1)).toBe(`Dry run: nothing was written to "${LIVE}"; the statements above would run in one transaction`);
    expect(await schemaDigests(url, LIVE)).toEqual(before);
  });

  test('bad input: one line on stderr each, exit 2, nothing written', async () => {
    const url = await incident();
    await execSql(url, 'CREATE SCHEMA lonely; CREATE TABLE lonely.t (x int)');
    const before = await schemaDigests(url, LIVE);
    const cases: Array<[string[], RegExp]> = [
      [['--schema', LIVE, '--from', RESTORED], /nothing to repair: pass at least one of --deleted .*, --changed .*, --added/],
      [['--schema', 'Tenant-B', '--from', RESTORED, '--deleted'], /schema "Tenant-B" \(--schema\) does not exist in the target database.*did you mean "Tenant-A"\?/],
      [['--schema', LIVE, '--from', RESTORED, '--deleted', '--table', 'usres'], /no table "usres" in schema .*did you mean "users"\?/],
      [['--schema', LIVE, '--from', 'lonely', '--deleted'], /have no table in common; check that --from names the schema restored from this one$/],
      [['--schema', LIVE, '--from', RESTORED, '--changed', '--table', 'events'], /table "events" has no key; --changed needs a primary key or unique NOT NULL key/],
      [['--schema', LIVE, '--from', RESTORED, '--deleted', '--table', 'users', '--where', 'id IN ('], /--where does not parse as an SQL condition/],
      [['--schema', LIVE, '--from', RESTORED, '--deleted', '--table', 'users', '--where', 'email <> \'\''], /--where names "email", which is not a key column/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await repair(url, ...args);
      expect([args, code, stdout]).toEqual([args, 2, '']);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    }
    expect(await schemaDigests(url, LIVE)).toEqual(before);
  });
});
