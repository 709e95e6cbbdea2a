import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ProgressEvent, quoteLiteral, restoreSchema } from '../../src';
import { findLocalLeftovers } from '../../src/cleanup/local-leftovers';
import { removeLocalLeftovers } from '../../src/cleanup/remove-local-leftovers';
import { STAGING_MARKER_PREFIX } from '../../src/cleanup/staging-marker';
import { runCli } from '../../src/cli/program';
import { OWNER_FILE } from '../../src/local/cluster-registry';
import { fakeCli } from '../support/cli';
import { freshBaseDir, leftovers } from '../support/dump-archives';
import { createDatabase, execSql, stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync('true').pid!;

const HOUR = 3_600_000;

describe('findLocalLeftovers / cleanup --local: only what dead restores left', () => {
  const target = useLocalCluster();
  let tempDir: string;
  let url: string;
  const dead = deadPid();

  async function markedSchema(name: string, marker: { pid: number; host: string; started: Date }): Promise<void> {
    const json = JSON.stringify({ restoreId: name.slice(5, 9), started: marker.started.toISOString(), host: marker.host, pid: marker.pid });
    await execSql(url, `CREATE SCHEMA ${name}; CREATE TABLE ${name}.t AS SELECT 1 AS x; COMMENT ON SCHEMA ${name} IS ${quoteLiteral(STAGING_MARKER_PREFIX + json)}`);
  }

  function ownedDir(name: string, owner?: { pid: number; host: string; started: Date }): string {
    const dir = join(tempDir, name);
    mkdirSync(dir);
    if (owner) writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ ...owner, started: owner.started.toISOString() }));
    return dir;
  }

  const schemas = () => stagingLikeSchemas(url);

  beforeAll(async () => {
    url = target().url('postgres');
    tempDir = freshBaseDir();
    const now = new Date();
    await markedSchema('pgsr_dead_0', { pid: dead, host: hostname(), started: now });
    await markedSchema('pgsr_live_0', { pid: process.pid, host: hostname(), started: now });
    await markedSchema('pgsr_oldx_0', { pid: 1, host: 'other-host', started: new Date(now.getTime() - 48 * HOUR) });
    await markedSchema('pgsr_newx_0', { pid: 1, host: 'other-host', started: new Date(now.getTime() - HOUR) });
    // A schema named like ours without a marker is not ours: never listed.
    await execSql(url, "CREATE SCHEMA pgsr_user_0; COMMENT ON SCHEMA pgsr_user_0 IS 'a user''s schema'");
    ownedDir('pgsr-cluster-dead', { pid: dead, host: hostname(), started: now });
    ownedDir('pgsr-dump-dead', { pid: dead, host: hostname(), started: now });
    ownedDir('pgsr-cluster-live', { pid: process.pid, host: hostname(), started: now });
    ownedDir('pgsr-cluster-unowned');
    ownedDir('unrelated-dir', { pid: dead, host: hostname(), started: now });
  });

  afterAll(() => {
    if (tempDir) leftovers(tempDir);
  });

  test('each leftover is judged by its owner: dead on this host, or older than --older-than on another', async () => {
    const found = await findLocalLeftovers({ target: url, tempDir });
    expect(found.schemas.map((s) => [s.schema, s.orphan])).toEqual([
      ['pgsr_dead_0', true], ['pgsr_live_0', false], ['pgsr_newx_0', false], ['pgsr_oldx_0', true],
    ]);
    expect(found.schemas.find((s) => s.schema === 'pgsr_dead_0')?.reason).toBe(`process ${dead} is not running`);
    expect(found.schemas.find((s) => s.schema === 'pgsr_oldx_0')?.reason).toMatch(/^on host other-host, started 48\.0 h ago \(older than 24\.0 h; /);
    expect(found.directories.map((d) => [d.dir.slice(tempDir.length + 1), d.kind, d.orphan]).sort()).toEqual([
      ['pgsr-cluster-dead', 'server', true], ['pgsr-cluster-live', 'server', false], ['pgsr-cluster-unowned', 'server', false], ['pgsr-dump-dead', 'dump', true],
    ]);
    const shorter = await findLocalLeftovers({ target: url, tempDir, olderThanMs: HOUR / 2 });
    expect(shorter.schemas.find((s) => s.schema === 'pgsr_newx_0')?.orphan).toBe(true);
  });

  test('a new restore warns about leftovers of dead restores, naming the cleanup command', async () => {
    await execSql(url, 'CREATE SCHEMA tiny; CREATE TABLE tiny.t AS SELECT 1 AS x');
    const events: ProgressEvent[] = [];
    await restoreSchema({ source: url, target: url, schemas: ['tiny'], suffix: '_r', tempDir, onProgress: (e) => events.push(e) });
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => e.type === 'log' && e.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^earlier restores that did not finish left 4 leftovers: staging schema "pgsr_dead_0", staging schema "pgsr_oldx_0", /);
    expect(warnings[0]).toContain(`throwaway server ${join(tempDir, 'pgsr-cluster-dead')}`);
    expect(warnings[0]).toMatch(/remove with: pg-schema-restore cleanup --local --target 'postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\?sslmode=disable' --temp-dir '.*' --yes$/);
    expect(warnings[0]).not.toContain('pgsr_live_0');
    // The restore's own staging schema carried its marker only until publish.
    expect(await withClient(url, async (c) => (await c.query("SELECT obj_description('tiny_r'::regnamespace, 'pg_namespace') AS d")).rows[0].d)).toBeNull();
  }, 60_000);

  test('the dry run lists everything and removes nothing', async () => {
    const cli = fakeCli(async () => {
      throw new Error('no restore');
    });
    expect(await runCli(['cleanup', '--local', '--target', url, '--temp-dir', tempDir], cli.deps)).toBe(0);
    expect(cli.stdout.text).toMatch(/staging schema +pgsr_dead_0 +\(restore dead, process \d+ is not running\)/);
    expect(cli.stdout.text).toMatch(/staging schema +pgsr_live_0 +\(restore live, kept: in use by process \d+ on /);
    expect(cli.stdout.text).toMatch(/Dry run: nothing was deleted/);
    expect(await schemas()).toEqual(['pgsr_dead_0', 'pgsr_live_0', 'pgsr_newx_0', 'pgsr_oldx_0', 'pgsr_user_0']);
    expect(existsSync(join(tempDir, 'pgsr-cluster-dead'))).toBe(true);
  });

  test('--yes removes the orphans only: a running restore\'s schema and directory are not touched', async () => {
    const cli = fakeCli(async () => {
      throw new Error('no restore');
    });
    expect(await runCli(['cleanup', '--local', '--target', url, '--temp-dir', tempDir, '--yes', '--json'], cli.deps)).toBe(0);
    const json = JSON.parse(cli.stdout.text) as { resources: Array<{ id: string; orphan: boolean }>; deleted: boolean };
    expect(json.deleted).toBe(true);
    expect(json.resources.filter((r) => r.orphan).length).toBe(4);
    expect(await schemas()).toEqual(['pgsr_live_0', 'pgsr_newx_0', 'pgsr_user_0']);
    expect(['pgsr-cluster-dead', 'pgsr-dump-dead', 'pgsr-cluster-live', 'pgsr-cluster-unowned', 'unrelated-dir'].map((d) => existsSync(join(tempDir, d))))
      .toEqual([false, false, true, true, true]);
  });

  test('a dead restore\'s large objects (outside its schemas) are unlinked with its record; the live ones stay', async () => {
    const db = await createDatabase(target(), 'lo_leftovers');
    const marker = STAGING_MARKER_PREFIX + JSON.stringify({ restoreId: 'deadlo', started: new Date().toISOString(), host: hostname(), pid: dead });
    const oids = await withClient(db, async (c) => (await c.query<{ live: number; made: number }>(
      "SELECT lo_from_bytea(0, 'live data') AS live, lo_from_bytea(0, 'restored copy') AS made")).rows[0]);
    await execSql(db, `CREATE SCHEMA pgsr_deadlo_lo; CREATE TABLE pgsr_deadlo_lo.large_objects (source_oid oid PRIMARY KEY, target_oid oid NOT NULL UNIQUE);
      INSERT INTO pgsr_deadlo_lo.large_objects VALUES (1, ${oids.made}); COMMENT ON SCHEMA pgsr_deadlo_lo IS ${quoteLiteral(marker)}`);
    const emptyTempDir = freshBaseDir();
    const found = await findLocalLeftovers({ target: db, tempDir: emptyTempDir }).finally(() => leftovers(emptyTempDir));
    expect(found.schemas.map((x) => [x.schema, x.orphan])).toEqual([['pgsr_deadlo_lo', true]]);
    await removeLocalLeftovers(found, { target: db });
    await withClient(db, async (c) => {
      const { rows } = await c.query('SELECT oid::int AS oid FROM pg_largeobject_metadata ORDER BY oid');
      expect(rows).toEqual([{ oid: oids.live }]);
      expect((await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'pgsr_deadlo_lo'")).rows).toEqual([]);
    });
  });

  test('cleanup argument checks: --target and --temp-dir need --local; --local and --orphans are separate', async () => {
    for (const [args, message] of [
      [['cleanup', '--target', url], /--target applies to --local only/],
      [['cleanup', '--temp-dir', tempDir], /--temp-dir applies to --local only/],
      [['cleanup', '--local', '--orphans'], /separate sweeps/],
      [['cleanup', '--local', '--target', 'mysql://x'], /--target must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ] as Array<[string[], RegExp]>) {
      const cli = fakeCli(async () => {
        throw new Error('no restore');
      });
      expect(await runCli(args, cli.deps)).toBe(2);
      expect(cli.stderr.text).toMatch(message);
    }
  });
});
