import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Start the CLI's entry point as its own process, the way the bin runs it (through ts-node,
 * uncompiled), to send it signals or run it as another user.
 */
export function startCli(args: string[], options: StartCliOptions = {}): CliProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', main, ...args], {
    cwd: root,
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
