import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressEvent } from '../../../src';
import { backupDatabase } from '../../../src/backups/backup-database';
import { dumpDatabase } from '../../../src/local';
import { RestoreSource } from '../../../src/sources/restore-source';
import { restoreTemporary } from '../../../src/sources/restore-temporary';
import { createDatabase, createSchemaWithDdl, processesUnder, tableDigest, useLocalCluster, withClient } from '../../support/postgres';

/** A tenant with a big table nobody asks for, and `wanted`, which references `kinds` (whose rows come along) and is partitioned. */
const TENANT = `
  CREATE TABLE kinds (id int PRIMARY KEY, name text);
  CREATE TABLE unrelated (id int PRIMARY KEY);
  CREATE TABLE wanted (id int, at date, kind int REFERENCES kinds (id), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE wanted_2024 PARTITION OF wanted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE big (id bigint PRIMARY KEY, payload text, kind int REFERENCES kinds (id));
  INSERT INTO kinds VALUES (1, 'a'), (2, 'b');
  INSERT INTO unrelated VALUES (1);
  INSERT INTO wanted VALUES (1, '2024-02-01', 1), (2, '2024-03-01', 2), (3, '2024-04-01', NULL);
  INSERT INTO big SELECT g, repeat('x', 100), 1 + g % 2 FROM generate_series(1, 50000) g;`;

const cluster = useLocalCluster();
let past: string;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pgsr-chosen-data-'));
  chmodSync(work, 0o755);
  past = await createDatabase(cluster(), 'chosen_past');
  await createSchemaWithDdl(past, 't', TENANT);
  await dumpDatabase(cluster(), 'chosen_past', join(work, 'tenant.dump'));
  await dumpDatabase(cluster(), 'chosen_past', join(work, 'tenant.dir'), 'directory');
  await backupDatabase({ source: past, to: join(work, 'backups') + '/', schemas: ['t'] });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rows per table of schema t in the throwaway server a source was loaded into with `tables`, and the log lines it emitted. */
async function loadedRows(source: RestoreSource, tables: string[]): Promise<{ rows: Record<string, number>; logs: string[]; digest: unknown }> {
  const events: ProgressEvent[] = [];
  const temporary = await restoreTemporary(source, { schemas: ['t'], tables, baseDir: work, onProgress: (e) => events.push(e) });
  // A throwaway server's URL.
  const url = temporary.connection as string;
  try {
    const rows = await withClient(url, async (c) => {
      const counts: Record<string, number> = {};
      for (const t of ['kinds', 'unrelated', 'wanted', 'big']) counts[t] = Number((await c.query(`SELECT count(*) FROM t.${t}`)).rows[0].count);
      return counts;
    });
    return { rows, logs: events.flatMap((e) => (e.type === 'log' ? [e.message] : [])), digest: await tableDigest(url, 't', 'wanted') };
  } finally {
    await temporary.cleanup();
  }
}

describe.each([
  ['a custom-format dump', () => ({ kind: 'dump' as const, path: join(work, 'tenant.dump') }), ''],
  ['a directory-format dump (pg_restore -j)', () => ({ kind: 'dump' as const, path: join(work, 'tenant.dir') }), ''],
  ['a backup (streamed, checked against its manifest)', () => ({ kind: 'backup' as const, location: join(work, 'backups', 'chosen_past') + '/' }), 't: '],
])('tables from %s', (_, source, logPrefix) => {
  test('loads the rows of the chosen table, its partitions and the tables its keys reference; not the big table nor the unrelated one', async () => {
    const { rows, logs, digest } = await loadedRows(source(), ['t.wanted']);
    expect(rows).toEqual({ kinds: 2, unrelated: 0, wanted: 3, big: 0 });
    expect(digest).toEqual(await tableDigest(past, 't', 'wanted'));
    expect(logs).toContain(`${logPrefix}loaded only the rows the chosen tables need: not those of t.big, t.unrelated`);
  });
});

test('without tables, a dump still loads every row', async () => {
  const temporary = await restoreTemporary({ kind: 'dump', path: join(work, 'tenant.dump') }, { schemas: ['t'], baseDir: work });
  try {
    expect(await tableDigest(temporary.connection as string, 't', 'big')).toEqual(await tableDigest(past, 't', 'big'));
  } finally {
    await temporary.cleanup();
  }
});

test('a chosen table the dump does not hold is TABLE_NOT_FOUND, naming it, and the throwaway server is gone', async () => {
  await expect(restoreTemporary({ kind: 'dump', path: join(work, 'tenant.dump') }, { schemas: ['t'], tables: ['t.nope'], baseDir: work }))
    .rejects.toMatchObject({ code: 'TABLE_NOT_FOUND', message: expect.stringContaining('t.nope') });
  expect(processesUnder(work)).toEqual([]);
});
