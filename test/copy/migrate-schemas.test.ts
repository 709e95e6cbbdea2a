import {
  AbortedError, ConnectionError, CopyError, InvalidInputError, migrateSchemas, openSourceSnapshot, ProgressEvent, quoteIdent,
  SchemaMapping, SchemaNotFoundError, TableEvent,
} from '../../src';
import { createDatabase, createSchemaWithDdl, execSql, tableDigest, useLocalCluster, waitForNoBackends, withClient } from '../support/postgres';

const sourceCluster = useLocalCluster();
const targetCluster = useLocalCluster();

const ACME_DDL = `
  CREATE TYPE status AS ENUM ('open', 'paid');
  CREATE TABLE "Order Lines" (id bigint GENERATED ALWAYS AS IDENTITY, "user" text, st status, sts status[], qty int, total int GENERATED ALWAYS AS (qty * 3) STORED, pad text);
  CREATE TABLE customers (id serial, name text);
  CREATE TABLE events (id int, at date, what text) PARTITION BY RANGE (at);
  CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (id);
  CREATE TABLE events_2024_even PARTITION OF events_2024 FOR VALUES IN (0, 2, 4, 6, 8);
  CREATE TABLE events_2024_other PARTITION OF events_2024 DEFAULT;
  CREATE TABLE events_other PARTITION OF events DEFAULT;
  CREATE UNLOGGED TABLE scratch (k text, v jsonb);
  CREATE TABLE inh_parent (a int);
  CREATE TABLE inh_child (b text) INHERITS (inh_parent);`;
const ACME_DATA = `
  INSERT INTO "Order Lines" ("user", st, sts, qty, pad) SELECT 'u' || g, 'open', '{open,paid,NULL}', g, repeat('x', 300) FROM generate_series(1, 60000) g;
  INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 40000) g;
  INSERT INTO events SELECT g % 10, date '2023-06-01' + (g % 600), 'e' || g FROM generate_series(1, 3000) g;
  INSERT INTO scratch SELECT 'k' || g, jsonb_build_object('g', g) FROM generate_series(1, 50) g;
  INSERT INTO inh_parent SELECT g FROM generate_series(1, 7) g;
  INSERT INTO inh_child SELECT g, 'c' FROM generate_series(1, 5) g;
  ANALYZE;`;
const BETA_DDL = 'CREATE TABLE ledger (id int, amount numeric); CREATE TABLE "select" ("from" int)';
const BETA_DATA = 'INSERT INTO ledger SELECT g, g * 1.5 FROM generate_series(1, 30000) g; INSERT INTO "select" VALUES (1), (2)';
const MAPPINGS: SchemaMapping[] = [{ source: 'acme-corp', target: 'acme-corp staging' }, { source: 'beta', target: 'pgsr_beta' }];

let sourceUrl: string;
let databases = 0;

/** A fresh target database holding the staging schemas (pre-data only: no data). */
async function stagingTarget(adjust: (ddl: { acme: string; beta: string }) => { acme: string; beta: string } = (d) => d): Promise<string> {
  const url = await createDatabase(targetCluster(), `target_${++databases}`);
  const ddl = adjust({ acme: ACME_DDL, beta: BETA_DDL });
  await createSchemaWithDdl(url, 'acme-corp staging', ddl.acme);
  await createSchemaWithDdl(url, 'pgsr_beta', ddl.beta);
  return url;
}

async function noLeftoverSessions(): Promise<void> {
  expect(await waitForNoBackends(sourceCluster())).toEqual([]);
  expect(await waitForNoBackends(targetCluster())).toEqual([]);
}

beforeAll(async () => {
  sourceUrl = await createDatabase(sourceCluster(), 'tenants');
  await createSchemaWithDdl(sourceUrl, 'acme-corp', ACME_DDL + ACME_DATA);
  await createSchemaWithDdl(sourceUrl, 'beta', `${BETA_DDL}; ${BETA_DATA}`);
});

test('copies every table of several schemas in parallel, largest first, into the right partitions', async () => {
  const targetUrl = await stagingTarget();
  const events: ProgressEvent[] = [];
  const copied = await migrateSchemas({ engine: 'copy', source: sourceUrl, target: targetUrl, schemas: MAPPINGS, jobs: 3, onProgress: (e) => events.push(e) });

  expect(copied.map((c) => `${c.schema}.${c.table}`)).toEqual([
    'acme-corp.Order Lines', 'acme-corp.customers', 'acme-corp.events_2023', 'acme-corp.events_2024_even', 'acme-corp.events_2024_other',
    'acme-corp.events_other', 'acme-corp.inh_child', 'acme-corp.inh_parent', 'acme-corp.scratch', 'beta.ledger', 'beta.select',
  ]);
  for (const c of copied) {
    const staging = MAPPINGS.find((m) => m.source === c.schema)!.target;
    const [atSource, restored] = await Promise.all([tableDigest(sourceUrl, c.schema, c.table), tableDigest(targetUrl, staging, c.table)]);
    expect({ table: c.table, ...restored }).toEqual({ table: c.table, ...atSource });
    expect(c.rows).toBe(atSource.rows);
    expect(c.bytes).toBeGreaterThan(0);
  }
  expect(copied.find((c) => c.table === 'scratch')!.persistence).toBe('unlogged');
  expect(copied.find((c) => c.table === 'customers')!.persistence).toBe('permanent');

  const perPartition = 'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM %s.events GROUP BY 1 ORDER BY 2, 1';
  const partitions = async (url: string, schema: string): Promise<unknown[]> =>
    withClient(url, async (c) => (await c.query(perPartition.replace('%s', quoteIdent(schema)))).rows.map((r) => [r.part.replace(/^.*\./, ''), r.n]));
  expect(await partitions(targetUrl, 'acme-corp staging')).toEqual(await partitions(sourceUrl, 'acme-corp'));
  expect(await withClient(targetUrl, async (c) => (await c.query('SELECT count(*)::int AS n FROM "acme-corp staging".inh_parent')).rows[0].n)).toBe(12);

  const tableEvents = events.filter((e): e is TableEvent => e.type === 'table');
  expect(tableEvents.find((e) => e.status === 'start')).toMatchObject({ table: 'Order Lines', estimatedRows: 60000 });
  let running = 0;
  let mostRunning = 0;
  for (const e of tableEvents) {
    running += e.status === 'start' ? 1 : e.status === 'done' ? -1 : 0;
    mostRunning = Math.max(mostRunning, running);
  }
  expect(mostRunning).toBeGreaterThan(1);
  expect(mostRunning).toBeLessThanOrEqual(3);
  expect(tableEvents.filter((e) => e.status === 'done').map((e) => e.rows).reduce((a, b) => a + b)).toBe(copied.reduce((a, c) => a + c.rows, 0));
  expect(events).toContainEqual({ type: 'log', level: 'info', message: expect.stringMatching(/^copying 11 tables \(.+\) with 3 workers$/) });
  await noLeftoverSessions();
});

test('a busy source is copied exactly as of the snapshot', async () => {
  await execSql(sourceUrl, `CREATE SCHEMA bank;
    CREATE TABLE bank.a (id int PRIMARY KEY, balance bigint); CREATE TABLE bank.b (id int PRIMARY KEY, balance bigint);
    CREATE TABLE bank.journal (id serial PRIMARY KEY, note text);
    INSERT INTO bank.a SELECT g, 1000 FROM generate_series(1, 50000) g; INSERT INTO bank.b SELECT g, 1000 FROM generate_series(1, 50000) g;
    INSERT INTO bank.journal (note) SELECT repeat('j', 200) FROM generate_series(1, 50000)`);
  const targetUrl = await createDatabase(targetCluster(), 'bank_target');
  await createSchemaWithDdl(targetUrl, 'bank_stg', 'CREATE TABLE a (id int, balance bigint); CREATE TABLE b (id int, balance bigint); CREATE TABLE journal (id serial, note text)');
  const total = 2 * 50000 * 1000;

  // A writer moves money between a and b and rewrites the journal, each step one transaction, until told to stop.
  let writing = true;
  let commits = 0;
  const writer = withClient(sourceUrl, async (c) => {
    for (let i = 0; writing; i++) {
      const id = 1 + (i * 7919) % 50000;
      await c.query(`BEGIN; UPDATE bank.a SET balance = balance - 10 WHERE id = ${id}; UPDATE bank.b SET balance = balance + 10 WHERE id = ${id};
        DELETE FROM bank.journal WHERE id = (SELECT min(id) FROM bank.journal); INSERT INTO bank.journal (note) VALUES ('moved ${id}'); COMMIT`);
      commits++;
    }
  });
  try {
    while (commits < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    const snapshot = await openSourceSnapshot(sourceUrl);
    try {
      const reference = [];
      for (const t of ['a', 'b', 'journal']) reference.push(await tableDigest(snapshot.client, 'bank', t)); // one session: one query at a time
      const commitsBefore = commits;
      const copied = await migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: [{ source: 'bank', target: 'bank_stg' }], snapshotId: snapshot.id, jobs: 3 });
      expect(commits - commitsBefore).toBeGreaterThan(10);
      expect(copied.map((c) => c.rows)).toEqual([50000, 50000, 50000]);
      expect(await Promise.all(['a', 'b', 'journal'].map((t) => tableDigest(targetUrl, 'bank_stg', t)))).toEqual(reference);
      const sums = await withClient(targetUrl, async (c) =>
        (await c.query('SELECT (SELECT sum(balance) FROM bank_stg.a) + (SELECT sum(balance) FROM bank_stg.b) AS total')).rows[0].total);
      expect(Number(sums)).toBe(total);
      // The live source really moved on.
      expect(await tableDigest(sourceUrl, 'bank', 'journal')).not.toEqual(reference[2]);
    } finally {
      await snapshot.close();
    }
  } finally {
    writing = false;
    await writer;
  }
  await noLeftoverSessions();
});

test('the first failure stops all workers and names the table; every session is closed', async () => {
  // Order Lines' COPY waits 5 s before its first row (a trigger that fires whatever the session's replication role),
  // so it is surely in progress when customers fails: on a fast machine it could otherwise finish first.
  const slowOrderLines = `; CREATE FUNCTION slow_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$;
    CREATE TRIGGER slow_copy BEFORE INSERT ON "Order Lines" FOR EACH STATEMENT EXECUTE FUNCTION slow_copy();
    ALTER TABLE "Order Lines" ENABLE ALWAYS TRIGGER slow_copy`;
  const targetUrl = await stagingTarget((d) => ({ ...d, acme: d.acme.replace('customers (id serial, name text)', 'customers (id serial, nom text)') + slowOrderLines }));
  const started = Date.now();
  const err = await migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, jobs: 2 }).catch((e) => e);
  // The failure cancelled the busy COPY instead of waiting for its trigger.
  expect(Date.now() - started).toBeLessThan(3_000);
  expect(err).toBeInstanceOf(CopyError);
  expect(err).toMatchObject({ schema: 'acme-corp', relation: 'customers' });
  expect(err.message).toMatch(/^copying acme-corp\.customers into acme-corp staging\.customers failed: column "name" of relation "customers" does not exist/);
  // The largest table was being copied by the other worker when the failure stopped it: rolled back, not finished.
  const orderLines = await withClient(targetUrl, async (c) => (await c.query('SELECT count(*)::int AS n FROM "acme-corp staging"."Order Lines"')).rows[0].n);
  expect(orderLines).toBe(0);
  await noLeftoverSessions();
});

describe('abort', () => {
  test('aborting while tables are being copied rejects with AbortedError, rolls back and closes every session', async () => {
    const targetUrl = await stagingTarget();
    const controller = new AbortController();
    const onProgress = (e: ProgressEvent): void => {
      if (e.type === 'table' && e.status === 'start') controller.abort();
    };
    const started = Date.now();
    await expect(migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: MAPPINGS, jobs: 2, onProgress, signal: controller.signal }))
      .rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(5000);
    const copiedRows = await withClient(targetUrl, async (c) =>
      (await c.query('SELECT (SELECT count(*) FROM "acme-corp staging"."Order Lines") + (SELECT count(*) FROM pgsr_beta.ledger) AS n')).rows[0].n);
    expect(Number(copiedRows)).toBe(0);
    await noLeftoverSessions();
  });

  test('an already aborted signal rejects before connecting', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(migrateSchemas({ source: 'postgres://nobody@127.0.0.1:1/none', target: 'postgres://nobody@127.0.0.1:1/none', schemas: MAPPINGS, signal: controller.signal }))
      .rejects.toBeInstanceOf(AbortedError);
  });
});

describe('bad input', () => {
  test('is refused before anything is opened', async () => {
    const args = { source: sourceUrl, target: sourceUrl, schemas: MAPPINGS };
    await expect(migrateSchemas({ ...args, jobs: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(migrateSchemas({ ...args, schemas: [] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(migrateSchemas({ ...args, schemas: [{ source: 'beta', target: 'x' }, { source: 'acme-corp', target: 'x' }] })).rejects.toThrow(/target schema "x" is named twice/);
  });

  test('a missing source schema is named and the snapshot is closed', async () => {
    const targetUrl = await stagingTarget();
    await expect(migrateSchemas({ source: sourceUrl, target: targetUrl, schemas: [{ source: 'Beta', target: 'pgsr_beta' }] })).rejects.toBeInstanceOf(SchemaNotFoundError);
    await noLeftoverSessions();
  });

  test('a snapshot that is no longer open is explained', async () => {
    const snapshot = await openSourceSnapshot(sourceUrl);
    await snapshot.close();
    const err = await migrateSchemas({ source: sourceUrl, target: sourceUrl, schemas: MAPPINGS, snapshotId: snapshot.id }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/cannot join source snapshot .*: invalid snapshot identifier.*only while the transaction that exported it is open/);
    await noLeftoverSessions();
  });

  test('a snapshot id that pg_export_snapshot() cannot have returned is refused as bad input, before any SQL carries it', async () => {
    const err = await migrateSchemas({ source: sourceUrl, target: sourceUrl, schemas: MAPPINGS, snapshotId: "00000003-1'; SELECT 1; --" }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/invalid snapshot id .*pass the id pg_export_snapshot\(\) returned/) });
    await noLeftoverSessions();
  });
});
