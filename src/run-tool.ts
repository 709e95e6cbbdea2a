import { spawn, SpawnOptions } from 'node:child_process';
import { maskSecrets } from './connection';
import { ToolError } from './errors';

export interface RunToolOptions {
  /** Extra environment variables (merged over process.env). */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Run as this OS user id / group id (PostgreSQL servers refuse to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Texts to remove from any error message (passwords). */
  readonly secrets?: string[];
  readonly signal?: AbortSignal;
}

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run an external program to completion and collect its output. A non-zero exit becomes a
 * {@link ToolError} whose message carries the last line the program printed on stderr.
 *
 * @example
 * const { stdout } = await runTool('/usr/lib/postgresql/17/bin/pg_dump', ['--version']);
 */
export function runTool(command: string, args: string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const name = command.split('/').pop() ?? command;
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    uid: options.uid,
    gid: options.gid,
    signal: options.signal,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new ToolError(`cannot run ${name}: ${maskSecrets(e.message, options.secrets ?? [])}; check that PostgreSQL's programs are installed (or set PG_BIN)`, { cause: e })));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr });
      const lines = stderr.trim().split('\n').filter((l) => l.trim() && !/^\s*(DETAIL|HINT|CONTEXT|LINE \d+):?/.test(l));
      const last = maskSecrets((lines.find((l) => /error|fatal|could not|invalid/i.test(l)) ?? lines[lines.length - 1] ?? '').trim(), options.secrets ?? []);
      reject(new ToolError(`${name} failed (${signal ? `signal ${signal}` : `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
}
