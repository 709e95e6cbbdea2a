import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program';
import { archiveCurrentWal, dumpDatabase, LocalCluster, serverWritableDir, startLocalCluster, takeBaseBackup, walArchivingSettings } from '../../src/local';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { execSql, processesUnder, schemaDigests, stagingLikeSchemas, useLocalCluster, withClient } from '../support/postgres';

const root = join(__dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');

/** A line of the restore's plain log, or a condition polled every 20 ms. */
type Moment = RegExp | (() => boolean);

/** Start `pg-schema-restore restore …` as its own process (ts-node, as the bin runs) with throwaway servers under `tempDir`. */
function startRestore(args: string[], tempDir: string): { child: ChildProcess; output: () => string; waitFor: (moment: Moment) => Promise<void> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', main, 'restore', ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: tempDir, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitFor = (moment: Moment) => new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => check(), 20);
    const check = () => {
      if (typeof moment === 'function' ? moment() : moment.test(text)) {
        listeners.delete(check);
        clearInterval(timer);
        resolve();
      }
    };
    listeners.add(check);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`restore exited (${code}) before ${String(moment)}:\n${text}`));
    });
    check();
  });
  return { child, output: () => text, waitFor };
}

/** Freeze the restore the moment a phase line appears, then kill -9 it: nothing of it runs any cleanup. */
async function killAt(args: string[], tempDir: string, line: Moment): Promise<string> {
  const run = startRestore(args, tempDir);
  await run.waitFor(line);
  run.child.kill('SIGSTOP');
  const exited = new Promise((resolve) => run.child.once('exit', resolve));
  run.child.kill('SIGKILL');
  await exited;
  return run.output();
}

/** What restores put in the temp dir (node's own compile cache lives there too). */
const ours = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('pgsr-')).sort();


async function cleanupLocal(target: string, tempDir: string, yes: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = fakeCli(async () => {
    throw new Error('no restore here');
  });
  const code = await runCli(['cleanup', '--local', '--target', target, '--temp-dir', tempDir, ...(yes ? ['--yes'] : [])], cli.deps);
  return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
}

describe('kill -9 of a restore, then cleanup --local --yes removes everything it left', () => {
  const target = useLocalCluster();
  let production: LocalCluster;
  let work: string;
  let tempDir: string;
  let at: Date;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pgsr-crash-test-'));
    chmodSync(work, 0o755);
    const walArchive = serverWritableDir(join(work, 'wal'));
    production = await startLocalCluster({ settings: walArchivingSettings(walArchive) });
    await createSampleDatabases(production, { rows: 50 });
    await createSampleDatabases(target(), { rows: 10 });
    // Big enough that copying it, indexing it and checksumming it take a while: the kill lands mid-restore.
    await execSql(production.url('tenant_a'), `CREATE TABLE customer_a1.big (id int PRIMARY KEY, payload text);
      INSERT INTO customer_a1.big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 300000) g; CHECKPOINT`);
    await takeBaseBackup(production, join(work, 'base'));
    await dumpDatabase(production, 'tenant_a', join(work, 'tenant_a.dump'));
    at = await withClient(production.url('postgres'), async (c) => (await c.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await execSql(production.url('tenant_a'), 'UPDATE customer_a1.users SET full_name = full_name');
    await archiveCurrentWal(production);
  }, 300_000);

  beforeEach(() => {
    tempDir = join(work, `temp-${Date.now()}`);
    mkdirSync(tempDir);
    chmodSync(tempDir, 0o755);
  });

  afterAll(async () => {
    await production?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function expectAllRemoved(): Promise<void> {
    const url = target().url('tenant_a');
    const dry = await cleanupLocal(url, tempDir, false);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: nothing was deleted/);
    const listed = await stagingLikeSchemas(url);
    for (const s of listed) expect(dry.stdout).toContain(s);
    const removed = await cleanupLocal(url, tempDir, true);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(await stagingLikeSchemas(url)).toEqual([]);
    expect(processesUnder(tempDir)).toEqual([]);
    expect(ours(tempDir)).toEqual([]);
  }

  test.each([
    ['copy', /copy started/],
    ['post-data', /post-data started/],
    ['the checksum reads beside the builds', /built checksum of /],
  ])('database source, killed during %s: the staging schema with its data is found by its marker and dropped', async (_phase, line) => {
    const url = target().url('tenant_a');
    await killAt(['--source', production.url('tenant_a'), '--target', url, '--schema', 'customer_a1', '--suffix', '_crash'], tempDir, line);
    const left = await stagingLikeSchemas(url);
    expect(left).toHaveLength(1);
    await expectAllRemoved();
  }, 180_000);

  test('restore --table, killed during its copy: the staging schema is the only leftover, cleanup --local finds and drops it; the live schema is untouched', async () => {
    const url = target().url('tenant_a');
    const live = await schemaDigests(url, 'customer_a1');
    const output = await killAt(['--source', production.url('tenant_a'), '--target', url, '--table', 'customer_a1.big', '--suffix', '_crash'], tempDir, /copy started/);
    expect(output).toMatch(/copy started/);
    expect(await stagingLikeSchemas(url)).toEqual([expect.stringMatching(/^pgsr_/)]);
    expect(await withClient(url, async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = \'customer_a1_crash\'')).rowCount)).toBe(0);
    await expectAllRemoved();
    expect(await schemaDigests(url, 'customer_a1')).toEqual(live);
  }, 180_000);

  test('dump source, killed while pg_restore loads the throwaway server: the server and the dump work directory are removed', async () => {
    const url = target().url('tenant_a');
    await killAt(['--source', join(work, 'tenant_a.dump'), '--target', url, '--schema', 'customer_a1', '--suffix', '_crash'], tempDir, /source started/);
    expect(ours(tempDir)).toContainEqual(expect.stringMatching(/^pgsr-dump-/));
    await expectAllRemoved();
  }, 180_000);

  test('dump source, killed during copy: the running throwaway server is stopped and removed, the staging schema dropped', async () => {
    const url = target().url('tenant_a');
    await killAt(['--source', join(work, 'tenant_a.dump'), '--target', url, '--schema', 'customer_a1', '--suffix', '_crash'], tempDir, /copy started/);
    expect(ours(tempDir)).toContainEqual(expect.stringMatching(/^pgsr-cluster-/));
    expect(processesUnder(tempDir).length).toBeGreaterThan(0);
    expect(await stagingLikeSchemas(url)).toHaveLength(1);
    await expectAllRemoved();
  }, 180_000);

  /** A throwaway server has written its postmaster.pid: it is up (recovering, for a base backup). */
  const serverStarted = () => ours(tempDir).some((d) => existsSync(join(tempDir, d, 'data', 'postmaster.pid')));

  test.each<[string, Moment]>([
    ['while the base backup is recovering', () => serverStarted()],
    ['during copy', /copy started/],
  ])('PITR source, killed %s: the recovering or promoted server is stopped and removed', async (_when, line) => {
    const url = target().url('tenant_a');
    await killAt(['--source', `pitr:${join(work, 'base')}?wal=${join(work, 'wal')}`, '--at', at.toISOString(), '--target', url, '--schema', 'customer_a1', '--suffix', '_crash'], tempDir, line);
    expect(ours(tempDir)).toEqual([expect.stringMatching(/^pgsr-cluster-/)]);
    expect(processesUnder(tempDir).length).toBeGreaterThan(0);
    await expectAllRemoved();
  }, 240_000);
});
