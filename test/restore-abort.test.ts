import { Client } from 'pg';
import { AbortedError, restoreSchema } from '../src';
import { connect } from '../src/connection';
import { RestorePhase } from '../src/progress';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, useLocalCluster, waitForNoBackends, withClient } from './support/postgres';

const cluster = useLocalCluster();

// Every slow step is made slow for real: an index expression and a materialized view that sleep per
// row, a view over a table someone holds ACCESS EXCLUSIVE, a foreign key to a table someone writes.
const SOURCE = `CREATE TABLE public.shared (id int PRIMARY KEY); INSERT INTO public.shared SELECT generate_series(1, 5);
  CREATE SCHEMA s;
  CREATE FUNCTION s.slow(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.004); RETURN x; END $$;
  CREATE TABLE s.t (id int, r int REFERENCES public.shared(id));
  INSERT INTO s.t SELECT g, 1 + g % 5 FROM generate_series(1, 500) g;
  CREATE INDEX t_slow ON s.t (s.slow(id));
  CREATE VIEW s.v AS SELECT * FROM public.shared;
  CREATE MATERIALIZED VIEW s.mv AS SELECT id FROM s.t WHERE s.slow(id + 0) > 0;
  CREATE SCHEMA big; CREATE TABLE big.rows AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000000) g;
  CREATE MATERIALIZED VIEW big.again AS SELECT * FROM big.rows;`;

let source = '';
let n = 0;

beforeAll(async () => {
  source = await createDatabase(cluster(), 'abort_src');
  await execSql(source, SOURCE);
}, 120_000);

/** A live session holding a lock on the target's public.shared until released. */
async function holdLock(target: string, sql: string): Promise<() => Promise<void>> {
  const client: Client = await connect(target, 'test', 'busy-app');
  await client.query('BEGIN');
  await client.query(sql);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

describe('Ctrl-C (abort) reaches every step within 2 s and leaves the target as it was', () => {
  // Validation is made slow by size (a materialized view of two million rows: tables are read back
  // beside the builds, materialized views in the validate step), the rest by the slow objects of schema s.
  test.each<[RestorePhase, number, string | undefined, string]>([
    ['pre-data', 400, 'LOCK public.shared IN ACCESS EXCLUSIVE MODE', 's'],
    ['copy', 0, undefined, 's'],
    ['post-data', 400, undefined, 's'],
    ['sequences', 0, undefined, 's'],
    ['materialized-views', 400, undefined, 's'],
    ['validate', 100, undefined, 'big'],
    ['outside-keys', 400, 'UPDATE public.shared SET id = id WHERE id = 1', 's'],
    ['publish', 0, undefined, 's'],
  ])('during %s', async (phase, delayMs, lockSql, schema) => {
    n += 1;
    const name = `abort_dst_${n}`;
    const target = await createDatabase(cluster(), name);
    await execSql(target, 'CREATE TABLE public.shared (id int PRIMARY KEY); INSERT INTO public.shared SELECT generate_series(1, 5);');
    const before = comparableDump(cluster(), name, []);
    const release = lockSql ? await holdLock(target, lockSql) : undefined;
    const controller = new AbortController();
    let abortedAt = 0;
    const started: string[] = [];
    try {
      const err = await restoreSchema({
        source,
        target,
        schemas: [schema],
        suffix: '_a',
        lockTimeoutMs: 60_000,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type !== 'phase' || e.status !== 'start') return;
          started.push(e.phase);
          if (e.phase !== phase) return;
          const abort = () => {
            abortedAt = Date.now();
            controller.abort();
          };
          if (delayMs === 0) abort();
          else setTimeout(abort, delayMs);
        },
      }).catch((e) => e);
      const took = Date.now() - abortedAt;
      expect(started).toContain(phase);
      expect(err).toBeInstanceOf(AbortedError);
      expect(abortedAt).toBeGreaterThan(0);
      expect(took).toBeLessThan(2_000);
      // The step was interrupted, not let finish: nothing after it started.
      expect(started.filter((p) => p !== 'cleanup').pop()).toBe(phase);
    } finally {
      await release?.();
    }
    expect(comparableDump(cluster(), name, [])).toBe(before);
    await withClient(target, async (c) => {
      expect((await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgsr\\_%' OR nspname LIKE '%\\_a'")).rows).toEqual([]);
    });
    expect(await waitForNoBackends(cluster())).toEqual([]);
  });
});
