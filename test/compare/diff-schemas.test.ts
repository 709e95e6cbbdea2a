import { Client } from 'pg';
import { AbortedError, diffSchemas, InvalidInputError, LockTimeoutError, renderDiff } from '../../src';
import { createIncident, LIVE, RESTORED } from '../support/incident';
import { createDatabase, execSql, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const cluster = useLocalCluster();
let url: string;

/** The pid of the diff session once it runs its comparison query. */
async function runningDiffPid(watcher: Client): Promise<number> {
  for (;;) {
    const { rows } = await watcher.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'pg-schema-restore diff' AND state = 'active' AND query LIKE '%FULL JOIN%'");
    if (rows[0]) return rows[0].pid;
  }
}

beforeAll(async () => {
  url = await createDatabase(cluster(), 'incident');
  await createIncident(url);
});

describe('diffSchemas', () => {
  test('counts exactly what was deleted, added and changed per table, with sample keys, matched by the best key', async () => {
    const diff = await diffSchemas({ target: url, schema: LIVE, against: RESTORED });
    expect(diff.onlyInLive).toEqual(['audit_2024']);
    expect(diff.onlyInRestored).toEqual(['legacy']);
    const byName = Object.fromEntries(diff.tables.map((t) => [t.table, t]));
    expect(Object.keys(byName).sort()).toEqual(['events', 'products', 'users']);
    expect(byName.users).toMatchObject({
      key: ['id'],
      keyKind: 'primary',
      deleted: 2,
      added: 1,
      changed: 3,
      samples: { deleted: [{ id: 3 }, { id: 4 }], added: [{ id: 11 }], changed: [{ id: 5 }, { id: 6 }, { id: 7 }] },
      columnsCompared: ['id', 'email', 'name', 'prefs', 'score'],
      columnsOnlyInLive: ['nickname'],
      columnsOnlyInRestored: [],
      comparedAsText: ['prefs'],
    });
    expect(byName.products).toMatchObject({
      key: ['sku'],
      keyKind: 'unique',
      deleted: 1,
      added: 1,
      changed: 1,
      samples: { deleted: [{ sku: 'b' }], added: [{ sku: 'd' }], changed: [{ sku: 'c' }] },
      columnTypeDifferences: [{ column: 'sku', live: 'text', restored: 'character varying(10)' }],
      comparedAsText: ['sku'],
    });
    // No key: whole rows, one of two duplicates gone counts as deleted; the NULL row equals itself.
    expect(byName.events).toMatchObject({
      key: ['kind', 'payload'],
      keyKind: 'row',
      deleted: 1,
      added: 1,
      changed: 0,
      samples: { deleted: [{ kind: 'x', payload: '1' }], added: [{ kind: 'z', payload: '3' }], changed: [] },
    });
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });

  test('bigint and numeric keys above 2^53 come back exact, as text; int keys stay numbers', async () => {
    for (const schema of ['int8_live', 'int8_past']) {
      await execSql(url, `CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.ledger (id bigint PRIMARY KEY, amount int);
        CREATE TABLE ${schema}.rates (code numeric PRIMARY KEY, n int);
        CREATE TABLE ${schema}.small (id int PRIMARY KEY);
        INSERT INTO ${schema}.ledger VALUES (9007199254740993, 1), (-9223372036854775808, 1);
        INSERT INTO ${schema}.rates VALUES (12345678901234567890.123456789, 1);`);
    }
    await execSql(url, `UPDATE int8_live.ledger SET amount = 2; UPDATE int8_live.rates SET n = 2;
      INSERT INTO int8_live.ledger VALUES (9007199254740995, 1); INSERT INTO int8_past.small VALUES (7)`);
    const diff = await diffSchemas({ target: url, schema: 'int8_live', against: 'int8_past' });
    const byName = Object.fromEntries(diff.tables.map((t) => [t.table, t]));
    // As numbers, 9007199254740993 would read 9007199254740992 and 9007199254740995 9007199254740996.
    expect(byName.ledger.samples).toEqual({ deleted: [], added: [{ id: '9007199254740995' }], changed: [{ id: '-9223372036854775808' }, { id: '9007199254740993' }] });
    expect(byName.rates.samples.changed).toEqual([{ code: '12345678901234567890.123456789' }]);
    expect(byName.small.samples.deleted).toEqual([{ id: 7 }]);
    expect(renderDiff(diff)).toContain('ledger [primary key id]: 1 added (e.g. id=9007199254740995); 2 changed (e.g. id=-9223372036854775808, id=9007199254740993)');
  });

  test('only the tables asked for; samples limited to the number asked for, 0 for counts only', async () => {
    const two = await diffSchemas({ target: url, schema: LIVE, against: RESTORED, tables: ['users'], samples: 1 });
    expect(two.tables.map((t) => t.table)).toEqual(['users']);
    expect(two.tables[0].samples).toEqual({ deleted: [{ id: 3 }], added: [{ id: 11 }], changed: [{ id: 5 }] });
    const none = await diffSchemas({ target: url, schema: LIVE, against: RESTORED, tables: ['users'], samples: 0 });
    expect(none.tables[0]).toMatchObject({ deleted: 2, added: 1, changed: 3, samples: { deleted: [], added: [], changed: [] } });
  });

  test('schemas with the same rows have no differences, also for a table whose key spans two columns', async () => {
    for (const schema of ['same_a', 'same_b']) {
      await execSql(url, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.lines (o int, p int, qty int, PRIMARY KEY (o, p));
        INSERT INTO ${schema}.lines SELECT i / 10, i % 10, CASE WHEN i % 3 = 0 THEN NULL ELSE i END FROM generate_series(1, 500) i`);
    }
    const diff = await diffSchemas({ target: url, schema: 'same_a', against: 'same_b' });
    expect(diff.tables).toEqual([expect.objectContaining({ table: 'lines', key: ['o', 'p'], keyKind: 'primary', deleted: 0, added: 0, changed: 0 })]);
    await execSql(url, 'UPDATE same_a.lines SET qty = NULL WHERE o = 7 AND p = 1; UPDATE same_a.lines SET qty = 1 WHERE o = 9 AND p = 0');
    const after = await diffSchemas({ target: url, schema: 'same_a', against: 'same_b' });
    expect(after.tables[0]).toMatchObject({ changed: 2, samples: { changed: [{ o: 7, p: 1 }, { o: 9, p: 0 }] } });
  });

  test('bad input is an InvalidInputError naming the problem, before anything is read', async () => {
    await expect(diffSchemas({ target: url, schema: LIVE, against: LIVE })).rejects.toThrow(new InvalidInputError(`--schema and --against both name "${LIVE}"; compare the live schema with the one restored from it`));
    await expect(diffSchemas({ target: url, schema: 'tenant-a', against: RESTORED })).rejects.toThrow(/^schema "tenant-a" \(--schema\) does not exist in the target database; check the name \(it is case-sensitive\); did you mean "Tenant-A"\?$/);
    await expect(diffSchemas({ target: url, schema: LIVE, against: RESTORED, tables: ['user'] })).rejects.toThrow(/^no table "user" in schema "Tenant-A" or "Tenant-A_20240128143000"; did you mean "users"\?$/);
    await expect(diffSchemas({ target: url, schema: LIVE, against: RESTORED, tables: ['audit_2024'] })).rejects.toThrow(/^table "audit_2024" exists only in the live schema "Tenant-A"/);
    await execSql(url, 'CREATE SCHEMA empty_one; CREATE SCHEMA empty_two; CREATE TABLE empty_two.t (x int)');
    await expect(diffSchemas({ target: url, schema: 'empty_one', against: 'empty_two' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/have no table in common/) });
  });

  describe('on a table large enough to watch the diff run', () => {
    beforeAll(async () => {
      for (const schema of ['big_live', 'big_past']) {
        await execSql(url, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int PRIMARY KEY, v int); INSERT INTO ${schema}.t SELECT i, i FROM generate_series(1, 600000) i; ANALYZE ${schema}.t`);
      }
    }, 60_000);

    test('a writer of the live table is not blocked while the diff reads; the diff holds only ACCESS SHARE locks and sees one instant', async () => {
      const running = diffSchemas({ target: url, schema: 'big_live', against: 'big_past' });
      await withClient(url, async (watcher) => {
        const pid = await runningDiffPid(watcher);
        await watcher.query("SET lock_timeout = '200ms'");
        const started = Date.now();
        await watcher.query('INSERT INTO big_live.t VALUES (0, 0)');
        expect(Date.now() - started).toBeLessThan(1000);
        const { rows } = await watcher.query<{ mode: string }>("SELECT DISTINCT mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation'", [pid]);
        expect(rows.map((r) => r.mode)).toEqual(['AccessShareLock']);
        expect((await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid])).rowCount).toBe(1);
      });
      // The row inserted while the diff ran is after its snapshot.
      expect((await running).tables[0]).toMatchObject({ deleted: 0, added: 0, changed: 0 });
      expect((await diffSchemas({ target: url, schema: 'big_live', against: 'big_past', samples: 0 })).tables[0].added).toBe(1);
    }, 60_000);

  });

  test('an abort cancels the running statement at once (here a lock wait) and closes the session', async () => {
    await withClient(url, async (holder) => {
      await holder.query(`BEGIN; LOCK TABLE "${LIVE}".users IN ACCESS EXCLUSIVE MODE`);
      const controller = new AbortController();
      const running = diffSchemas({ target: url, schema: LIVE, against: RESTORED, lockTimeoutMs: 20_000, signal: controller.signal });
      const waiting = "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg-schema-restore diff' AND wait_event_type = 'Lock'";
      // Watched from outside the holder's transaction, whose view of pg_stat_activity stays as it first read it.
      await withClient(url, async (watcher) => {
        while ((await watcher.query(waiting)).rowCount === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      });
      const started = Date.now();
      controller.abort();
      await expect(running).rejects.toThrow(new AbortedError('diff aborted; nothing was changed'));
      expect(Date.now() - started).toBeLessThan(1000);
      await holder.query('ROLLBACK');
    });
    expect(await waitForNoBackends(cluster())).toEqual([]);
  }, 30_000);

  test('row-level security that would hide rows from the role is an error, never a partial diff', async () => {
    await execSql(url, `CREATE ROLE diff_reader LOGIN PASSWORD 'Diff-r3ader';
      GRANT USAGE ON SCHEMA "${LIVE}", "${RESTORED}" TO diff_reader;
      GRANT SELECT ON ALL TABLES IN SCHEMA "${LIVE}" TO diff_reader; GRANT SELECT ON ALL TABLES IN SCHEMA "${RESTORED}" TO diff_reader;
      ALTER TABLE "${LIVE}".users ENABLE ROW LEVEL SECURITY; CREATE POLICY only_some ON "${LIVE}".users USING (id < 5)`);
    const asReader = new URL(url);
    asReader.username = 'diff_reader';
    asReader.password = 'Diff-r3ader';
    try {
      await expect(diffSchemas({ target: asReader.toString(), schema: LIVE, against: RESTORED, tables: ['users'] }))
        .rejects.toThrow(/query would be affected by row-level security policy for table "users"/);
      expect((await diffSchemas({ target: asReader.toString(), schema: LIVE, against: RESTORED, tables: ['products'] })).tables[0].changed).toBe(1);
    } finally {
      await execSql(url, `ALTER TABLE "${LIVE}".users DISABLE ROW LEVEL SECURITY; DROP POLICY only_some ON "${LIVE}".users`);
    }
  });

  test('a session holding an ACCESS EXCLUSIVE lock on a live table is named once the retries are spent', async () => {
    await withClient(url, async (holder) => {
      await holder.query(`BEGIN; LOCK TABLE "${LIVE}".products IN ACCESS EXCLUSIVE MODE`);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const err = await diffSchemas({ target: url, schema: LIVE, against: RESTORED, lockTimeoutMs: 50 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as LockTimeoutError).message).toMatch(new RegExp(`^reading the tables of "Tenant-A" needs an ACCESS SHARE lock, which could not be had within .* in 5 tries: held by pid ${pid} `));
      await holder.query('ROLLBACK');
    });
  }, 20_000);
});
