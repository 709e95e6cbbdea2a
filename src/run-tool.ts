import { spawn, SpawnOptions } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { maskSecrets } from './connection';
import { ToolError } from './errors';
import type { Abortable } from './run-options';

export interface RunToolOptions extends Abortable {
  /** Extra environment variables (merged over process.env). */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Run as this OS user id / group id (PostgreSQL servers refuse to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Texts to remove from any error message (passwords). */
  readonly secrets?: string[];
  /**
   * Stream piped into the program's stdin (with backpressure). A program may stop reading early
   * (`pg_restore -l` reads only the table of contents): the rest is then not read and the stream is
   * destroyed. When the stream fails before the program has finished, the program is stopped and the
   * run fails with the stream's error. @default - stdin is closed
   */
  readonly stdin?: Readable;
  /** Stream the program's stdout into this writable instead of collecting it (`stdout` is then ''). */
  readonly stdout?: Writable;
}

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** The line of a failed program's stderr that says what went wrong. */
function lastErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() && !/^\s*(DETAIL|HINT|CONTEXT|LINE \d+):?/.test(l));
  return (lines.find((l) => /error|fatal|could not|invalid/i.test(l)) ?? lines[lines.length - 1] ?? '').trim();
}

/**
 * Run an external program to completion and collect its output. A non-zero exit becomes a
 * {@link ToolError} whose message carries the last line the program printed on stderr.
 *
 * @example
 * const { stdout } = await runTool('/usr/lib/postgresql/17/bin/pg_dump', ['--version']);
 * await runTool(psql, ['-d', url, '-f', '-'], { stdin: createReadStream('dump.sql') });
 */
export function runTool(command: string, args: string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const name = command.split('/').pop() ?? command;
  const secrets = options.secrets ?? [];
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    // libpqEnv's PG* variables are a resolved connection; an inherited PGSERVICE would override them in libpq.
    env: { ...process.env, ...(options.env?.PGHOST !== undefined ? { PGSERVICE: undefined } : {}), ...options.env },
    uid: options.uid,
    gid: options.gid,
    signal: options.signal,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let inputError: Error | undefined;
    let exited = false;
    const input = options.stdin;
    if (input) {
      // EPIPE here only means the program stopped reading; its exit status tells whether that was fine.
      child.stdin!.on('error', () => undefined);
      input.on('error', (e) => {
        if (exited) return;
        inputError ??= e;
        child.kill();
      });
      input.pipe(child.stdin!);
    }
    if (options.stdout) child.stdout!.pipe(options.stdout);
    else child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      exited = true;
      input?.destroy();
      reject(new ToolError(`cannot run ${name}: ${maskSecrets(e.message, secrets)}; check that PostgreSQL's programs are installed (or set PG_BIN)`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      exited = true;
      // Stop reading what the program did not need (e.g. the rest of an S3 object).
      if (input && !input.readableEnded) input.destroy();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (inputError) {
        return reject(new ToolError(`${name} stopped: reading its input failed: ${maskSecrets(inputError.message, secrets)}`, { cause: inputError }));
      }
      if (code === 0) return resolve({ stdout, stderr });
      const last = maskSecrets(lastErrorLine(stderr), secrets);
      reject(new ToolError(`${name} failed (${signal ? `signal ${signal}` : `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
}
