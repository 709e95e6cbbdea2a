import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from '../support/cli-process';

const root = join(__dirname, '..', '..');
const main = join(root, 'src', 'cli', 'main.ts');

describe('pg-schema-restore bin', () => {
  test('package.json points the bin at the compiled main, which starts with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'pg-schema-restore': 'lib/cli/main.js' });
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('restore restarts itself once, in place, with a small young generation; other commands and a flag already given do not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-semi-'));
    try {
      // Loaded by every node process of the run (NODE_OPTIONS survives the restart): writes its pid and semi-space flag.
      const log = join(dir, 'starts');
      const probe = join(dir, 'probe.js');
      writeFileSync(probe, `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify([process.pid, ` +
        "process.execArgv.filter((a) => a.startsWith('--max-semi-space-size'))]) + '\\n');");
      const starts = (args: string[], nodeOptions = ''): Array<[number, string[]]> => {
        rmSync(log, { force: true });
        expect(runBin(args, { NODE_OPTIONS: `--require ${probe} ${nodeOptions}` }).status).toBe(0);
        return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
      };
      const [first, again, ...more] = starts(['restore', '--help']);
      expect(first[1]).toEqual([]);
      expect(again).toEqual([first[0], ['--max-semi-space-size=4']]); // the same process, restarted
      expect(more).toEqual([]);
      expect(starts(['--version'])).toHaveLength(1);
      expect(starts(['restore', '--help'], '--max-semi-space-size=8')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help prints usage and exits 0', () => {
    const { status, stdout, stderr } = runBin(['--help']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: pg-schema-restore /);
    expect(stdout).toMatch(/restore \[options\]/);
  });

  test('a reader that stops early (| head) ends the output quietly: exit 0, no stack trace', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', main, 'restore', '--help'], {
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the pipe's reading end closes before the help is written
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  test('PGSR_SOURCE and PGSR_TARGET stand for --source and --target; a password there is not in argv, so no warning', () => {
    const env = { PGSR_SOURCE: 'postgres://u:Secr3t@h/past', PGSR_TARGET: 'postgres://u:Secr3t@h/live' };
    const { status, stdout, stderr } = runBin(['restore'], env);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    // Past the checks for --source and --target, to the first thing still missing.
    expect(stderr).toMatch(/^pg-schema-restore: at least one --schema <name> is required[^\n]*\n$/);
    const inArgv = runBin(['restore', '--source', env.PGSR_SOURCE, '--target', env.PGSR_TARGET, '--schema', 'a', '--dry-run'], { PGCONNECT_TIMEOUT: '1' });
    expect(inArgv.stderr).toContain('a password on the command line is visible');
    const fromEnv = runBin(['restore', '--schema', 'a', '--dry-run'], { ...env, PGCONNECT_TIMEOUT: '1' });
    expect(fromEnv.stderr).not.toContain('a password on the command line is visible');
    expect(fromEnv.stderr).not.toContain('Secr3t');
  });

  test('a missing --schema exits 2 with one line on stderr and no password', () => {
    const { status, stdout, stderr } = runBin(['restore', '--source', 'postgres://u:Secr3t@h/past', '--target', 'postgres://u:Secr3t@h/live']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^pg-schema-restore: at least one --schema <name> is required[^\n]*\n$/);
    expect(stderr).not.toContain('Secr3t');
  });
});
