import { Client } from 'pg';
import { restoreSchema, SchemaRestoreError } from '../../src';
import { dropStagingSchemas, stagingLeftMessage } from '../../src/cleanup/drop-staging';
import { connect } from '../../src/connection';
import { runTool } from '../../src/run-tool';
import { execSql, stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

const schemaExists = (url: string, name: string) => withClient(url, async (c) =>
  (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rowCount === 1);

describe('dropStagingSchemas: does not give up', () => {
  const target = useLocalCluster(); // default settings: max_locks_per_transaction = 64

  test('a 2,000-table staging schema is dropped on default max_locks_per_transaction, where one DROP SCHEMA … CASCADE runs out of shared memory', async () => {
    const url = target().url('postgres');
    await execSql(url, 'CREATE SCHEMA pgsr_big_0');
    for (let i = 0; i < 2000; i += 100) {
      const tables = Array.from({ length: 100 }, (_, k) => `CREATE TABLE pgsr_big_0.t${i + k} (id int PRIMARY KEY, note text)`);
      await execSql(url, tables.join(';'));
    }
    await execSql(url, "CREATE FUNCTION pgsr_big_0.f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE VIEW pgsr_big_0.v AS SELECT * FROM pgsr_big_0.t0");
    expect(await withClient(url, async (c) => (await c.query("SELECT current_setting('max_locks_per_transaction') AS n")).rows[0].n)).toBe('64');
    await expect(execSql(url, 'DROP SCHEMA pgsr_big_0 CASCADE')).rejects.toThrow(/out of shared memory/);
    const result = await dropStagingSchemas({ target: url, schemas: ['pgsr_big_0'] });
    expect(result).toEqual({ dropped: ['pgsr_big_0'], left: [] });
    expect(await schemaExists(url, 'pgsr_big_0')).toBe(false);
  }, 300_000);

  test('the target restarted (pg_ctl restart) in the middle of the drop: it retries and succeeds', async () => {
    const cluster = target();
    const url = cluster.url('postgres');
    await execSql(url, 'CREATE SCHEMA pgsr_rs_0; CREATE TABLE pgsr_rs_0.t (id int)');
    // A reader holds the table: the drop waits for its lock, so the restart lands while it runs.
    const reader: Client = await connect(url, 'test', 'pgsr-test-helper');
    reader.on('error', () => undefined);
    await reader.query('BEGIN; LOCK TABLE pgsr_rs_0.t IN ACCESS SHARE MODE');
    const retries: string[] = [];
    const drop = dropStagingSchemas({ target: url, schemas: ['pgsr_rs_0'], lockTimeoutMs: 60_000, timeoutMs: 60_000, onRetry: (m) => retries.push(m) });
    for (let waiting = false; !waiting; await new Promise((r) => setTimeout(r, 50))) {
      waiting = await withClient(url, async (c) => (await c.query(
        "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DROP%pgsr_rs_0%'")).rowCount === 1);
    }
    await runTool(cluster.binaries.path('pg_ctl'), ['-D', cluster.dataDir, '-l', cluster.logFile, '-w', '-m', 'fast', 'restart'],
      { uid: cluster.osUser?.uid, gid: cluster.osUser?.gid, cwd: cluster.dir });
    await reader.end().catch(() => undefined);
    const result = await drop;
    expect(result).toEqual({ dropped: ['pgsr_rs_0'], left: [] });
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatch(/terminating connection|shutting down|Connection terminated|ECONNREFUSED|starting up/i);
    expect(await schemaExists(url, 'pgsr_rs_0')).toBe(false);
  }, 120_000);

  test('read-only target: what was never created is not reported; what exists is named with the command that removes it', async () => {
    const cluster = target();
    await execSql(cluster.url('postgres'), 'CREATE DATABASE readonly_target');
    const url = cluster.url('readonly_target');
    await execSql(url, 'CREATE SCHEMA pgsr_ro_1');
    await execSql(cluster.url('postgres'), 'ALTER DATABASE readonly_target SET default_transaction_read_only = on');
    expect(await dropStagingSchemas({ target: url, schemas: ['pgsr_ro_0'], timeoutMs: 2_000 })).toEqual({ dropped: [], left: [] });
    const result = await dropStagingSchemas({ target: url, schemas: ['pgsr_ro_0', 'pgsr_ro_1'], timeoutMs: 2_000 });
    expect(result.left).toEqual(['pgsr_ro_1']);
    const message = stagingLeftMessage(result.left, url, result.error);
    expect(message).toMatch(/^the staging schema "pgsr_ro_1" is still in the target \(.*read-only transaction.*\); remove it with: pg-schema-restore cleanup --local --target 'postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/readonly_target\?sslmode=disable' --yes$/);
    expect(message).not.toContain('pgsr_ro_0');
    expect(message).not.toContain(cluster.password);
  }, 60_000);

  test('a restore into a read-only target fails with the reason alone: nothing was created, so nothing is to be dropped', async () => {
    const cluster = target();
    await execSql(cluster.url('postgres'), 'CREATE DATABASE ro_restore');
    const url = cluster.url('ro_restore');
    await execSql(url, 'CREATE SCHEMA tiny; CREATE TABLE tiny.t AS SELECT 1 AS x');
    await execSql(cluster.url('postgres'), 'ALTER DATABASE ro_restore SET default_transaction_read_only = on');
    const failure = await restoreSchema({ source: url, target: url, schemas: ['tiny'], suffix: '_r' }).catch((err: SchemaRestoreError) => err);
    expect(failure).toBeInstanceOf(SchemaRestoreError);
    expect((failure as SchemaRestoreError).code).not.toBe('CLEANUP_FAILED');
    // The preflight finds it before anything is written.
    expect((failure as SchemaRestoreError).code).toBe('TARGET_READ_ONLY');
    expect((failure as Error).message).toMatch(/is read-only for/);
    expect((failure as Error).message).not.toMatch(/in addition|still in the target|by hand|cleanup --local/i);
    expect(await stagingLikeSchemas(url)).toEqual([]);
  }, 60_000);

  test('an unreachable target is retried until the deadline, then every schema is reported as possibly left', async () => {
    const started = Date.now();
    const retries: string[] = [];
    const result = await dropStagingSchemas({ target: 'postgres://postgres:pw@127.0.0.1:1/none?sslmode=disable', schemas: ['pgsr_x_0'], timeoutMs: 1_500, onRetry: (m) => retries.push(m) });
    expect(result.left).toEqual(['pgsr_x_0']);
    expect(result.error?.message).toMatch(/ECONNREFUSED|connect/);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  }, 30_000);
});
