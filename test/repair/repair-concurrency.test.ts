import { Client } from 'pg';
import { AbortedError, diffSchemas, LockTimeoutError, repairRows } from '../../src';
import { connect } from '../../src/connection';
import { createDatabase, createSchemaWithDdl, execSql, schemaDigests, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
let url: string;
let databases = 0;

/** Items 1–2000 restored; live lost 1–500, changed 501–600, and has its own rows 5001–5100 since. */
async function tenant(): Promise<string> {
  const db = await createDatabase(cluster(), `busy_${++databases}`);
  const ddl = 'CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT g, \'item \' || g FROM generate_series(1, 2000) g;';
  await createSchemaWithDdl(db, 'past', ddl);
  await createSchemaWithDdl(db, 'live', `${ddl} DELETE FROM items WHERE id <= 500; UPDATE items SET note = 'edited' WHERE id BETWEEN 501 AND 600;
    INSERT INTO items SELECT g, 'new' FROM generate_series(5001, 5100) g;`);
  return db;
}

async function session(db: string): Promise<Client> {
  return connect(db, 'test', 'pgsr-test-writer');
}

beforeAll(async () => {
  url = await tenant();
});

describe('repairRows next to other sessions', () => {
  test('a concurrent writer inserting and updating other rows of the same table: neither waits for the other, no write is lost', async () => {
    const writer = await session(url);
    const busy = await session(url);
    try {
      // The writer's transaction is open (ROW EXCLUSIVE on the table, row locks on its rows) for the whole repair.
      await writer.query('BEGIN');
      await writer.query("INSERT INTO live.items VALUES (9001, 'writer'); UPDATE live.items SET note = 'writer' WHERE id BETWEEN 5001 AND 5010");
      const repaired = repairRows({ target: url, schema: 'live', from: 'past', deleted: true, changed: true });
      // Meanwhile another writer commits a write after another while the repair runs.
      let writes = 0;
      let done = false;
      void repaired.finally(() => { done = true; });
      while (!done || writes < 20) {
        await busy.query(`INSERT INTO live.items VALUES (${9100 + writes}, 'writer'); UPDATE live.items SET note = 'writer ${writes}' WHERE id = ${5011 + (writes % 90)}`);
        writes++;
      }
      const result = await repaired;
      expect(result.tables).toEqual([{ table: 'items', key: ['id'], keyKind: 'primary', deleted: 500, changed: 100 }]);
      await writer.query('COMMIT');
      const rows = await withClient(url, async (c) => (await c.query<{ n: string }>("SELECT count(*)::text AS n FROM live.items WHERE note LIKE 'writer%'")).rows[0].n);
      expect(Number(rows)).toBe(1 + writes + 10 + Math.min(writes, 90));
      const diff = await diffSchemas({ target: url, schema: 'live', against: 'past' });
      expect(diff.tables[0]).toMatchObject({ deleted: 0, changed: 0, added: 100 + 1 + writes });
      expect(await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n)).toBe(0);
    } finally {
      await writer.end();
      await busy.end();
    }
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });

  test('a session holding a conflicting lock: retried, then refused naming it; nothing written', async () => {
    const db = await tenant();
    const holder = await session(db);
    try {
      await holder.query('BEGIN; LOCK TABLE live.items IN SHARE MODE');
      const before = await schemaDigests(db, 'live');
      const err = await repairRows({ target: db, schema: 'live', from: 'past', deleted: true, lockTimeoutMs: 100, pausesMs: [10, 10] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as Error).message).toMatch(new RegExp(`^repairing "live" needs ROW EXCLUSIVE locks on its tables \\(and ACCESS SHARE on "past"\\), which could not be had within 100 ?ms in 3 tries: held by pid ${(holder as Client & { processID: number }).processID} \\(user \\w+, pgsr-test-writer, idle in transaction since .*ShareLock on live\\.items.*nothing was written`));
      await holder.query('ROLLBACK');
      expect(await schemaDigests(db, 'live')).toEqual(before);
    } finally {
      await holder.end();
    }
  });

  test('a row it must update locked by an open transaction: retried, then refused naming the open writer; nothing written', async () => {
    const db = await tenant();
    const holder = await session(db);
    try {
      await holder.query("BEGIN; UPDATE live.items SET note = 'held' WHERE id = 550");
      const before = await schemaDigests(db, 'live');
      const err = await repairRows({ target: db, schema: 'live', from: 'past', deleted: true, changed: true, lockTimeoutMs: 100, pausesMs: [10] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as Error).message).toMatch(new RegExp('^repairing "live" must write rows that another transaction holds locked, not released within 100 ?ms in 2 tries: ' +
        `open writers of its tables: held by pid ${(holder as Client & { processID: number }).processID} \\(.*RowExclusiveLock on live\\.items`));
      await holder.query('ROLLBACK');
      expect(await schemaDigests(db, 'live')).toEqual(before);
    } finally {
      await holder.end();
    }
  });

  test('an abort while waiting for a lock rolls back at once: AbortedError, nothing written, no session left', async () => {
    const db = await tenant();
    const holder = await session(db);
    try {
      await holder.query('BEGIN; LOCK TABLE live.items IN SHARE MODE');
      const controller = new AbortController();
      const started = Date.now();
      const repaired = repairRows({ target: db, schema: 'live', from: 'past', deleted: true, lockTimeoutMs: 30_000, signal: controller.signal }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      const err = await repaired;
      expect(err).toBeInstanceOf(AbortedError);
      expect((err as Error).message).toBe('repair aborted; rolled back, nothing was written');
      expect(Date.now() - started).toBeLessThan(10_000);
      await holder.query('ROLLBACK');
      expect(await withClient(db, async (c) => (await c.query('SELECT count(*)::int AS n FROM live.items')).rows[0].n)).toBe(1600);
    } finally {
      await holder.end();
    }
    expect(await waitForNoBackends(cluster())).toEqual([]);
    await execSql(db, 'SELECT 1');
  });
});
