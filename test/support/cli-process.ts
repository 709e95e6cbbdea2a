import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');

/** A `pg-schema-restore` process started by {@link startCli}. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Its exit: the status, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
}

/** Options of {@link startCli}. */
export interface StartCliOptions {
  readonly env?: Record<string, string>;
  /** Run as another OS user (the test runs as root). */
  readonly uid?: number;
  readonly gid?: number;
}

let bundle: string | undefined;

/**
 * The CLI bundled into one file (with libpg-query's WASM beside it) in a directory every OS user can
 * read: another user cannot read the checkout itself when it lies in a private (0700) home directory.
 */
function bundledCli(): string {
  if (bundle) return bundle;
  const dir = mkdtempSync(join(tmpdir(), 'pgsr-test-cli-bundle-'));
  chmodSync(dir, 0o755);
  const out = join(dir, 'main.js');
  buildSync({ entryPoints: [main], bundle: true, platform: 'node', target: 'node22', outfile: out, logLevel: 'error' });
  const wasm = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');
  copyFileSync(wasm, join(dir, 'libpg-query.wasm'));
  return (bundle = out);
}

/** Remove the bundle {@link startCli} made for another OS user, if any (call it in `afterAll`). */
export function removeBundledCli(): void {
  if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
  bundle = undefined;
}

/**
 * Start the CLI's entry point as its own process, the way the bin runs it (through ts-node,
 * uncompiled), to send it signals; as another OS user, a bundle of it (see {@link bundledCli}).
 */
export function startCli(args: string[], options: StartCliOptions = {}): CliProcess {
  const entry = options.uid !== undefined ? [bundledCli()] : ['-r', 'ts-node/register', main];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: options.uid !== undefined ? tmpdir() : root,
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', DEBUG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => text, exited };
}

/**
 * Run the CLI's entry point as a separate process to its end, the way the bin runs it (through
 * ts-node, uncompiled): its exit status and its two output streams apart.
 */
export function runBin(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', main, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The command lines of the running processes whose program is `name` (read from /proc), to check
 * what other local users could see in ps.
 */
export function commandLinesOf(name: string): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args.length > 0 && args[0].split('/').pop() === name) lines.push(args.join(' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}
