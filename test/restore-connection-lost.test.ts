import { Client } from 'pg';
import { ConnectionLostError, restoreSchema, RestoreReport } from '../src';
import { connect } from '../src/connection';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, TEST_APPLICATION_NAME, useLocalCluster, waitForNoBackends, withClient } from './support/postgres';

const cluster = useLocalCluster();

const TENANT = `CREATE SCHEMA t1; CREATE TABLE t1.items (id int PRIMARY KEY, v text);
  INSERT INTO t1.items SELECT g, 'v' || g FROM generate_series(1, 2000) g; CREATE SEQUENCE t1.counter;`;

let n = 0;
async function pair(): Promise<{ src: string; dst: string; srcName: string; dstName: string }> {
  n += 1;
  const src = await createDatabase(cluster(), `lost_src_${n}`);
  const dst = await createDatabase(cluster(), `lost_dst_${n}`);
  await execSql(src, TENANT);
  return { src, dst, srcName: `lost_src_${n}`, dstName: `lost_dst_${n}` };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pid of the restore's session with this application name in a database, waiting up to 20 s for it to satisfy `extra`. */
async function sessionPid(database: string, applicationName: string, extra = 'true'): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pid = await withClient(cluster().url('postgres'), async (c) => (await c.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND ${extra}`, [database, applicationName])).rows[0]?.pid);
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`no session "${applicationName}" in ${database}`);
    await sleep(20);
  }
}

async function terminate(pid: number): Promise<void> {
  await execSql(cluster().url('postgres'), `SELECT pg_terminate_backend(${pid})`);
}

/**
 * Run a restore whose copy is held up: when the tables to copy are listed, a test session locks the source
 * table, so copy worker 1 waits on it; `during` runs then, and the lock is released after it.
 */
async function restoreWithStalledCopy(
  db: { src: string; dst: string; srcName: string }, during: () => Promise<void>,
): Promise<{ result: RestoreReport | Error; phases: string[] }> {
  const locker: Client = await connect(db.src, 'test', TEST_APPLICATION_NAME);
  // The test's own session must outlive any idle-in-transaction guard of the source.
  await locker.query('SET idle_in_transaction_session_timeout = 0');
  const phases: string[] = [];
  let locked: Promise<unknown> | undefined;
  try {
    const restore = restoreSchema({
      source: db.src,
      target: db.dst,
      schemas: ['t1'],
      suffix: '_r',
      jobs: 1,
      onProgress: (e) => {
        if (e.type === 'phase') phases.push(`${e.phase}:${e.status}`);
        // Once the tables are listed, before the workers start. Sent at once on an open connection:
        // it is granted long before a worker has connected.
        if (e.type === 'log' && /^copying \d+ tables/.test(e.message)) locked = locker.query('BEGIN; LOCK TABLE t1.items IN ACCESS EXCLUSIVE MODE');
      },
    }).catch((e: Error) => e);
    await sessionPid(db.srcName, 'pg-schema-restore copy worker 1', "wait_event_type = 'Lock'");
    await locked;
    await during();
    await locker.query('ROLLBACK');
    return { result: await restore, phases };
  } finally {
    await locker.end();
  }
}

/** The restore created nothing that is left in the target, and no session of it remains. */
async function expectNothingLeft(dstName: string, before: string): Promise<void> {
  expect(comparableDump(cluster(), dstName, [])).toBe(before);
  expect(await waitForNoBackends(cluster())).toEqual([]);
}

const ADMIN = 'its connection was terminated by an administrator (57P01: pg_terminate_backend or a fast shutdown); ' +
  'find out who ends sessions (an administrator, a pg_terminate_backend job, a pooler or session killer) and spare application_name "pg-schema-restore…", then run the restore again';

describe('a session lost during a restore is named in one line, and nothing is left behind', () => {
  test('the DDL session (target), terminated while the copy runs', async () => {
    const db = await pair();
    const before = comparableDump(cluster(), db.dstName, []);
    const { result: err, phases } = await restoreWithStalledCopy(db, async () => terminate(await sessionPid(db.dstName, 'pg-schema-restore ddl')));
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as ConnectionLostError).code).toBe('CONNECTION_LOST');
    expect(err).toMatchObject({ side: 'target', session: 'DDL session' });
    expect((err as Error).message).toBe(`the target DDL session (application_name "pg-schema-restore ddl") failed: ${ADMIN}`);
    expect(phases).toEqual(expect.arrayContaining(['copy:done', 'cleanup:done']));
    await expectNothingLeft(db.dstName, before);
  });

  test('the snapshot session (source), terminated while the copy runs', async () => {
    const db = await pair();
    const before = comparableDump(cluster(), db.dstName, []);
    const { result: err } = await restoreWithStalledCopy(db, async () => terminate(await sessionPid(db.srcName, 'pg-schema-restore snapshot')));
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as Error).message).toBe(`the source snapshot session (application_name "pg-schema-restore snapshot") failed: ${ADMIN}`);
    await expectNothingLeft(db.dstName, before);
  });

  test('a copy worker (source), terminated in the middle of its COPY', async () => {
    const db = await pair();
    const before = comparableDump(cluster(), db.dstName, []);
    const { result: err, phases } = await restoreWithStalledCopy(db, async () => {
      const pid = await sessionPid(db.srcName, 'pg-schema-restore copy worker 1', "query LIKE 'COPY%'");
      await terminate(pid);
    });
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as Error).message).toBe(`the source copy worker 1 (application_name "pg-schema-restore copy worker 1") failed: ${ADMIN}`);
    expect((err as Error).message).not.toMatch(/columns/);
    expect(phases).not.toContain('copy:done');
    await expectNothingLeft(db.dstName, before);
  });

  test('a copy worker (target), terminated while its COPY FROM STDIN waits for rows', async () => {
    const db = await pair();
    const before = comparableDump(cluster(), db.dstName, []);
    const { result: err } = await restoreWithStalledCopy(db, async () => {
      await terminate(await sessionPid(db.dstName, 'pg-schema-restore copy worker 1', "query LIKE 'COPY%'"));
    });
    expect(err).toMatchObject({ code: 'CONNECTION_LOST', side: 'target', session: 'copy worker 1' });
    expect((err as Error).message).toBe(`the target copy worker 1 (application_name "pg-schema-restore copy worker 1") failed: ${ADMIN}`);
    await expectNothingLeft(db.dstName, before);
  });

  test('a source with idle_in_transaction_session_timeout = 1s: a restore idle longer than that succeeds; the setting is untouched', async () => {
    const db = await pair();
    await execSql(cluster().url('postgres'), `ALTER DATABASE ${db.srcName} SET idle_in_transaction_session_timeout = '1s'`);
    const { result } = await restoreWithStalledCopy(db, () => sleep(2500));
    expect(result).not.toBeInstanceOf(Error);
    expect((result as RestoreReport).schemas[0].tables).toEqual([expect.objectContaining({ name: 'items', rows: 2000, checksumMatch: true })]);
    const setting = await withClient(db.src, async (c) => (await c.query<{ s: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS s")).rows[0].s);
    expect(setting).toBe('1s');
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });
});
