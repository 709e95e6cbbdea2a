import { runBin } from '../support/cli-process';
import { createIncident, LIVE, RESTORED } from '../support/incident';
import { createDatabase, useLocalCluster } from '../support/postgres';

const cluster = useLocalCluster();
let env: Record<string, string>;

beforeAll(async () => {
  // The target in PGSR_TARGET, as scripts pass it: its URL holds the test server's password.
  env = { PGSR_TARGET: await createDatabase(cluster(), 'incident_bin') };
  await createIncident(env.PGSR_TARGET);
});

describe('pg-schema-restore diff, as its own process', () => {
  test('differences found: exit 0, and --json on stdout parses to the counts and sample keys; nothing on stderr', () => {
    const { status, stdout, stderr } = runBin(['diff', '--schema', LIVE, '--against', RESTORED, '--table', 'users', '--json'], env);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({ schema: LIVE, against: RESTORED });
    expect(parsed.tables).toEqual([expect.objectContaining({
      table: 'users', key: ['id'], deleted: 2, added: 1, changed: 3, samples: { deleted: [{ id: 3 }, { id: 4 }], added: [{ id: 11 }], changed: [{ id: 5 }, { id: 6 }, { id: 7 }] },
    })]);
  });

  test('an unknown schema: exit 2, one line on stderr naming it, nothing on stdout', () => {
    const { status, stdout, stderr } = runBin(['diff', '--schema', 'no_such_tenant', '--against', RESTORED], env);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^pg-schema-restore: [^\n]*"no_such_tenant"[^\n]*\n$/);
    expect(stderr).not.toContain(new URL(env.PGSR_TARGET).password || 'never');
  });
});
