import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase } from '../../src/backups/backup-database';
import { runCli } from '../../src/cli/program';
import { drillMarkdown } from '../../src/drill/drill-markdown';
import { runDrill } from '../../src/drill/run-drill';
import { AbortedError } from '../../src/errors';
import { quoteIdent } from '../../src/quote';
import type { RestoreReport } from '../../src/report';
import type { RestoreSchemaOptions } from '../../src/restore-options';
import { restoreSchema } from '../../src/restore-schema';
import { createStandaloneTenants } from '../support/backups';
import { fakeCli } from '../support/cli';
import { removeBundledCli, startCli } from '../support/cli-process';
import { createDatabase, execSql, stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

jest.setTimeout(180_000);

const cluster = useLocalCluster();
let work: string;
let scratch: string;
let from: string;

beforeAll(async () => {
  const url = await createDatabase(cluster(), 'app');
  await createStandaloneTenants(url, ['customer_a1', 'customer_a2'], 30);
  scratch = await createDatabase(cluster(), 'scratch');
  work = mkdtempSync(join(tmpdir(), 'pgsr-test-drill-interrupt-'));
  await backupDatabase({ source: url, to: join(work, 'backups'), schemas: ['customer_a1', 'customer_a2'] });
  from = join(work, 'backups', 'app');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeBundledCli();
});

async function schemasIn(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ n: string }>(
    "SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname NOT IN ('information_schema', 'public') ORDER BY 1")).rows.map((r) => r.n));
}

/** Poll `check` every 20 ms until it is true (at most a minute). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 20) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never: ${what}`);
}

test('an abort that lands after the tenant was published: the drill drops it and ends ABORTED', async () => {
  const controller = new AbortController();
  // The real restore, interrupted the moment it has published: the window between publish and the drill's drop.
  const restore = async (options: RestoreSchemaOptions): Promise<RestoreReport> => {
    await restoreSchema({ ...options, signal: undefined });
    expect(await schemasIn(scratch)).toEqual([`customer_a1${options.suffix!}`]);
    controller.abort();
    throw new AbortedError();
  };
  const err = await runDrill({ from, target: scratch, restore, signal: controller.signal }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AbortedError);
  expect(await schemasIn(scratch)).toEqual([]);
  expect(await stagingLikeSchemas(scratch)).toEqual([]);
});

test('Ctrl-C mid-drill: one line, exit 130, nothing left in the scratch database', async () => {
  const drill = startCli(['drill', '--from', from, '--target', scratch, '--schema', 'customer_a1']);
  // Midway: the restore's staging schema (or the restored tenant) is in the scratch database.
  await until('the drill restores into the scratch database', async () => (await schemasIn(scratch)).length > 0);
  drill.child.kill('SIGINT');
  const { code } = await drill.exited;
  expect(code).toBe(130);
  expect(drill.output().split('\n').filter((l) => l.startsWith('pg-schema-restore:'))).toHaveLength(1);
  expect(await schemasIn(scratch)).toEqual([]);
});

test('kill -9 between publish and drop leaves <tenant>_drill_<hex>; the next drill drops it, reports it, and keeps other schemas', async () => {
  // Hold the drill's final DROP SCHEMA (its own session) long enough to kill it right there.
  await execSql(scratch, `CREATE FUNCTION public.slow_drill_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN IF current_setting('application_name') = 'pg-schema-restore drill' THEN PERFORM pg_sleep(60); END IF; END $$;
    CREATE EVENT TRIGGER slow_drill_drop ON ddl_command_start WHEN TAG IN ('DROP SCHEMA') EXECUTE FUNCTION public.slow_drill_drop()`);
  const dropping = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pg-schema-restore drill' AND query LIKE 'DROP SCHEMA%'";
  try {
    const drill = startCli(['drill', '--from', from, '--target', scratch, '--schema', 'customer_a1']);
    await until('the drill drops the restored tenant', async () => withClient(scratch, async (c) => (await c.query(dropping)).rows.length > 0));
    drill.child.kill('SIGKILL');
    expect((await drill.exited).signal).toBe('SIGKILL');
    // Its orphaned backend would finish the drop once the sleep ends.
    await execSql(scratch, `SELECT pg_terminate_backend(pid) FROM (${dropping}) d`);
  } finally {
    await execSql(scratch, 'DROP EVENT TRIGGER slow_drill_drop; DROP FUNCTION public.slow_drill_drop()');
  }
  const [leftover] = await schemasIn(scratch);
  expect(leftover).toMatch(/^customer_a1_drill_[0-9a-f]{8}$/);
  // Look-alikes that are not a drill's leftovers of this backup's tenants stay.
  const keep = ['customer_a1_drill_12345678x', 'customer_a1_drill_nothex00', 'other_drill_0badf00d', 'customer_a2_20240128143000'];
  for (const name of keep) await execSql(scratch, `CREATE SCHEMA ${quoteIdent(name)}`);
  const cli = fakeCli(restoreSchema, { now: () => new Date() });
  const code = await runCli(['drill', '--from', from, '--target', scratch, '--schema', 'customer_a2', '--json'], cli.deps);
  expect(code).toBe(0);
  const report = JSON.parse(cli.stdout.text);
  expect(report.leftoversDropped).toEqual([leftover]);
  expect(drillMarkdown(report)).toContain(`- dropped ${leftover} from the scratch database: left by an earlier drill that was killed`);
  expect(await schemasIn(scratch)).toEqual([...keep].sort());
  for (const name of keep) await execSql(scratch, `DROP SCHEMA ${quoteIdent(name)}`);
});
