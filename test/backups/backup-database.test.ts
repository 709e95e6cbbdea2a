import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { backupDatabase } from '../../src/backups/backup-database';
import { openBackupStore } from '../../src/backups/backup-store';
import { chooseBackup } from '../../src/backups/choose-backup';
import { connect } from '../../src/connection';
import type { ProgressEvent } from '../../src/progress';
import { quoteIdent } from '../../src/quote';
import { restoreFromBackup } from '../../src/sources/backup/restore-backup';
import { createSampleDatabases } from '../../src/testing';
import { checksumRelation } from '../../src/validate/checksum-relation';
import { createDatabase, execSql, useLocalCluster } from '../support/postgres';
import { useLocalS3 } from '../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
let url: string;
let dir: string;

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 50, databases: { app: ['customer_a1', 'customer_a2', 'Odd/Name'] } })).app;
  dir = mkdtempSync(join(tmpdir(), 'pgsr-test-backups-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a backup to a directory writes one 0600 archive per schema and a manifest whose checksums are the live ones', async () => {
  const { location, manifest } = await backupDatabase({ source: url, to: dir, jobs: 2 });
  expect(manifest.schemas.map((s) => s.name)).toEqual(['Odd/Name', 'customer_a1', 'customer_a2', 'public']);
  const runDir = location.slice(0, -1);
  expect(runDir.startsWith(join(dir, 'app'))).toBe(true);
  expect(readdirSync(runDir).sort()).toEqual(['Odd%2FName.dump', 'customer_a1.dump', 'customer_a2.dump', 'manifest.json', 'public.dump']);
  for (const name of readdirSync(runDir)) expect(statSync(join(runDir, name)).mode.toString(8).slice(-3)).toBe('600');
  expect(statSync(runDir).mode.toString(8).slice(-3)).toBe('700');
  const a1 = manifest.schemas.find((s) => s.name === 'customer_a1')!;
  const bytes = readFileSync(join(runDir, a1.archive));
  expect(a1.bytes).toBe(bytes.length);
  expect(a1.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
  const orders = a1.relations.find((r) => r.name === 'orders')!;
  const client = await connect(url, 'test');
  try {
    expect(await checksumRelation(client, 'customer_a1', 'orders', orders.columns)).toEqual({ rows: orders.rows, checksum: orders.checksum });
  } finally {
    await client.end();
  }
  expect(a1.sequences.length).toBeGreaterThan(0);
  const runs = await listBackupRuns(openBackupStore(dir));
  expect(runs.map((r) => [r.database, r.complete])).toEqual([['app', true]]);
});

test('a backup to S3 is listed, and chosen by time', async () => {
  const store = { client: s3().client };
  const first = await backupDatabase({ source: url, to: 's3://backups/nightly/', schemas: ['customer_a1'], s3: store });
  await execSql(url, 'DELETE FROM customer_a1.orders WHERE id % 2 = 0');
  const second = await backupDatabase({ source: url, to: 's3://backups/nightly', schemas: ['customer_a1'], s3: store });
  expect(second.location).not.toBe(first.location);
  const runs = await listBackupRuns(openBackupStore('s3://backups/nightly/app/', store));
  expect(runs.map((r) => r.complete)).toEqual([true, true]);
  const at = new Date(first.manifest.snapshotAt);
  expect(chooseBackup(runs, { at, where: 'x' }).manifest).toEqual(first.manifest);
  expect(chooseBackup(runs, { where: 'x' }).manifest).toEqual(second.manifest);
  expect(() => chooseBackup(runs, { at: new Date(at.getTime() - 1000), where: 'x' })).toThrow(/no backup under x at or before/);
});

test('a column of large objects: the backup says they are left out, as a warning event and in its result', async () => {
  await execSql(url, `CREATE SCHEMA docs;
    CREATE TABLE docs.files (id int PRIMARY KEY, body oid);
    INSERT INTO docs.files VALUES (1, lo_from_bytea(0, 'hello')), (2, lo_from_bytea(0, 'world'));`);
  const events: ProgressEvent[] = [];
  const { warnings, manifest } = await backupDatabase({ source: url, to: dir, schemas: ['docs', 'customer_a1'], onProgress: (e) => events.push(e) });
  expect(warnings).toEqual([expect.stringMatching(/^docs\.files\.body refers to 2 large object\(s\), which per-schema archives leave out \(pg_dump -n\)/)]);
  expect(events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => (e as { message: string }).message)).toEqual(warnings);
  expect(manifest.schemas.map((s) => s.name)).toEqual(['docs', 'customer_a1']);
  await execSql(url, 'SELECT lo_unlink(body) FROM docs.files; DROP SCHEMA docs CASCADE');
});

test('schemas with quotes in their names are backed up and restored like any other; control characters are left out with a warning, and refused when named', async () => {
  const db = await createDatabase(cluster(), 'odd_names');
  const quoted = 'it\'s "quoted"; DROP SCHEMA public; --';
  await execSql(db, `CREATE SCHEMA tenant_ok; CREATE TABLE tenant_ok.t AS SELECT 1 AS id; CREATE SCHEMA "line\nbreak";
    CREATE SCHEMA ${quoteIdent(quoted)}; CREATE TABLE ${quoteIdent(quoted)}."it's" AS SELECT 'x''y' AS v`);
  const result = await backupDatabase({ source: db, to: join(dir, 'odd') });
  expect(result.manifest.schemas.map((s) => s.name).sort()).toEqual([quoted, 'public', 'tenant_ok'].sort());
  expect(result.warnings).toEqual([
    'schema "line\\nbreak" is not backed up: its name has a control character or more than 63 bytes, which no backup manifest accepts; rename it',
  ]);
  expect((await listBackupRuns(openBackupStore(join(dir, 'odd'))))[0].complete).toBe(true);
  const past = await restoreFromBackup({ kind: 'backup', location: join(dir, 'odd', 'odd_names') + '/' }, { schemas: [quoted] });
  try {
    const client = await connect(past.connection, 'test');
    try {
      expect((await client.query(`SELECT v FROM ${quoteIdent(quoted)}."it's"`)).rows).toEqual([{ v: 'x\'y' }]);
    } finally {
      await client.end();
    }
  } finally {
    await past.cleanup();
  }
  await expect(backupDatabase({ source: db, to: join(dir, 'odd-named'), schemas: ['tenant_ok', 'line\nbreak'] }))
    .rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('schema "line\\nbreak" is not backed up') });
});
