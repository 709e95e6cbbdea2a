import { diffSchemas, InvalidInputError, quoteIdent, repairRows, type RepairRowsOptions } from '../../src';
import { createIncident, LIVE, RESTORED } from '../support/incident';
import { createDatabase, schemaDigests, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

jest.setTimeout(60_000);

const cluster = useLocalCluster();
let databases = 0;

/** A fresh database holding the incident fixture (each repair changes its live schema). */
async function incident(): Promise<string> {
  const url = await createDatabase(cluster(), `incident_${++databases}`);
  await createIncident(url);
  return url;
}

type Counts = Record<string, { deleted: number; added: number; changed: number }>;

async function diffCounts(url: string, tables?: string[]): Promise<Counts> {
  const diff = await diffSchemas({ target: url, schema: LIVE, against: RESTORED, tables });
  return Object.fromEntries(diff.tables.map((t) => [t.table, { deleted: t.deleted, added: t.added, changed: t.changed }]));
}

async function users(url: string): Promise<unknown[]> {
  return withClient(url, async (c) => (await c.query(`SELECT id, name, prefs::text, score::text, nickname FROM ${quoteIdent(LIVE)}.users ORDER BY id`)).rows);
}

const repair = (url: string, options: Partial<RepairRowsOptions>) => repairRows({ target: url, schema: LIVE, from: RESTORED, ...options });

const BEFORE: Counts = {
  products: { deleted: 1, added: 1, changed: 1 },
  users: { deleted: 2, added: 1, changed: 3 },
};

describe('repairRows on an incident (rows deleted, updated, inserted, a column added live since)', () => {
  test('--deleted re-inserts exactly the deleted rows: restored values, the live-only column NULL; changed and added rows untouched', async () => {
    const url = await incident();
    const result = await repair(url, { deleted: true });
    expect(result).toMatchObject({ dryRun: false, verified: true, categories: ['deleted'], triggers: true });
    expect(result.tables).toEqual([
      { table: 'events', key: ['kind', 'payload'], keyKind: 'row', deleted: 1 },
      { table: 'products', key: ['sku'], keyKind: 'unique', deleted: 1 },
      { table: 'users', key: ['id'], keyKind: 'primary', deleted: 2 },
    ]);
    expect(await diffCounts(url)).toEqual({
      events: { deleted: 0, added: 1, changed: 0 },
      products: { deleted: 0, added: 1, changed: 1 },
      users: { deleted: 0, added: 1, changed: 3 },
    });
    const rows = await users(url);
    expect(rows.filter((r) => [3, 4, 5].includes((r as { id: number }).id))).toEqual([
      { id: 3, name: 'User 3', prefs: '{"a" : 3}', score: '3', nickname: null },
      { id: 4, name: 'User 4', prefs: '{"a" : 4}', score: null, nickname: null },
      { id: 5, name: 'Renamed', prefs: '{"a" : 5}', score: '5', nickname: null },
    ]);
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });

  test('all three on every table: the compared columns equal the restored rows (duplicates counted), the live-only column kept', async () => {
    const url = await incident();
    const result = await repair(url, { deleted: true, changed: true, added: true, tables: ['users', 'products'] });
    expect(result.tables.map((t) => [t.table, t.deleted, t.changed, t.added])).toEqual([['products', 1, 1, 1], ['users', 2, 3, 1]]);
    expect(await diffCounts(url)).toEqual({
      events: { deleted: 1, added: 1, changed: 0 }, products: { deleted: 0, added: 0, changed: 0 }, users: { deleted: 0, added: 0, changed: 0 },
    });
    expect((await users(url))[0]).toEqual({ id: 1, name: 'User 1', prefs: '{"a" : 1}', score: '1', nickname: 'one' });
    const events = await repair(url, { deleted: true, added: true, tables: ['events'] });
    expect(events.tables).toEqual([{ table: 'events', key: ['kind', 'payload'], keyKind: 'row', deleted: 1, added: 1 }]);
    const digests = await schemaDigests(url, LIVE);
    expect(digests.events).toEqual((await schemaDigests(url, RESTORED)).events);
    expect(digests.products).toEqual((await schemaDigests(url, RESTORED)).products);
  });

  test.each([
    [['deleted']], [['changed']], [['added']], [['deleted', 'changed']], [['deleted', 'added']], [['changed', 'added']],
  ])('%j empties exactly those categories, the others stay as they were', async (categories: string[]) => {
    const url = await incident();
    const asked = Object.fromEntries(categories.map((c) => [c, true]));
    const result = await repair(url, { ...asked, tables: ['users', 'products'] });
    const after = await diffCounts(url, ['users', 'products']);
    for (const table of ['products', 'users']) {
      for (const c of ['deleted', 'changed', 'added'] as const) {
        expect([table, c, after[table][c]]).toEqual([table, c, categories.includes(c) ? 0 : BEFORE[table][c]]);
        expect(result.tables.find((t) => t.table === table)?.[c]).toBe(categories.includes(c) ? BEFORE[table][c] : undefined);
      }
    }
  });

  test('--where limits both sides to the keys it names', async () => {
    const url = await incident();
    const result = await repair(url, { deleted: true, changed: true, added: true, tables: ['users'], where: 'id IN (3, 5) OR id > 10' });
    expect(result.tables).toEqual([{ table: 'users', key: ['id'], keyKind: 'primary', deleted: 1, changed: 1, added: 1 }]);
    expect((await users(url)).map((r) => (r as { id: number }).id)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    expect(await diffCounts(url, ['users'])).toEqual({ users: { deleted: 1, added: 0, changed: 2 } });
  });

  test('--dry-run writes nothing, counts per category (always how many --added would delete) and returns the plan', async () => {
    const url = await incident();
    const before = await schemaDigests(url, LIVE);
    const result = await repair(url, { deleted: true, changed: true, dryRun: true, tables: ['users', 'products'] });
    expect(result).toMatchObject({ dryRun: true, verified: false, sequences: [] });
    expect(result.tables).toEqual([
      { table: 'products', key: ['sku'], keyKind: 'unique', deleted: 1, changed: 1, added: 1 },
      { table: 'users', key: ['id'], keyKind: 'primary', deleted: 2, changed: 3, added: 1 },
    ]);
    const live = quoteIdent(LIVE);
    expect(result.plan).toEqual([
      `LOCK TABLE ONLY ${live}."products", ONLY ${live}."users" IN ROW EXCLUSIVE MODE`,
      `LOCK TABLE ONLY ${quoteIdent(RESTORED)}."products", ONLY ${quoteIdent(RESTORED)}."users" IN ACCESS SHARE MODE`,
      expect.stringMatching(new RegExp(`^INSERT INTO ${live.replace(/[-"]/g, '.')}\\."products" \\("sku", "name", "price"\\) SELECT r\\."sku"::text::text, r\\."name", r\\."price" FROM`)),
      expect.stringMatching(/^UPDATE ONLY .*"products" AS l SET "name" = r."name", "price" = r."price" FROM/),
      expect.stringMatching(/^INSERT INTO .*"users" \("id", "email", "name", "prefs", "score"\) SELECT/),
      expect.stringMatching(/^UPDATE ONLY .*"users" AS l SET "email" = r."email", "name" = r."name", "prefs" = r."prefs"::text::json, "score" = r."score" FROM/),
    ]);
    expect(result.plan.join('\n')).not.toMatch(/User|example\.com/);
    expect(await schemaDigests(url, LIVE)).toEqual(before);
  });

  test('bad input, one line each, nothing written', async () => {
    const url = await incident();
    const before = await schemaDigests(url, LIVE);
    const refusals: Array<[Partial<RepairRowsOptions>, RegExp]> = [
      [{}, /^nothing to repair: pass at least one of --deleted, --changed, --added/],
      [{ deleted: true, from: 'nope' }, /^schema "nope" \(--from\) does not exist/],
      [{ deleted: true, tables: ['user'] }, /^no table "user" in schema .*; did you mean "users"\?$/],
      [{ changed: true }, /^table "events" has no key; --changed needs a primary key or unique NOT NULL key/],
      [{ deleted: true, tables: ['users'], where: 'id >' }, /^--where does not parse as an SQL condition/],
      [{ deleted: true, tables: ['users'], where: 'name = \'x\'' }, /^--where names "name", which is not a key column of table "users" \(key: id\)/],
      [{ deleted: true, tables: ['users'], where: 'id = (SELECT max(id) FROM pg_class)' }, /^--where must not hold a subquery/],
      [{ deleted: true, tables: ['users'], where: 'id = pg_terminate_backend(1)' }, /^--where must not call functions \(pg_terminate_backend\)/],
      [{ deleted: true, tables: ['users'], where: 'true); DROP TABLE users; SELECT (1' }, /^--where (does not parse|must be one SQL condition)/],
      [{ deleted: true, tables: ['users'], where: 'id > 1) UNION (SELECT 1' }, /^--where must be one SQL condition on the key columns/],
    ];
    for (const [options, message] of refusals) {
      const err = await repair(url, options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(await schemaDigests(url, LIVE)).toEqual(before);
  });
});
