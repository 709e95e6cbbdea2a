import { createProgressDisplay } from '../../src/cli/display/create-progress-display';
import { createLiveDisplay } from '../../src/cli/display/live-display';
import { TableBoard } from '../../src/cli/display/table-board';
import { runCli } from '../../src/cli/program';
import { formatBytes, formatCount, formatDuration } from '../../src/format-units';
import { BuildEvent, TableEvent } from '../../src/progress';
import { BufferOutput, fakeCli, scriptedRestore, terminalStream } from '../support/cli';

const table = (change: Partial<TableEvent>): TableEvent => ({
  type: 'table', status: 'progress', schema: 'customer_a1', table: 'orders', rows: 0, bytes: 0, elapsedMs: 0, ...change,
});

const build = (change: Partial<BuildEvent>): BuildEvent => ({
  type: 'build', status: 'start', kind: 'index', statement: 'CREATE INDEX orders_placed ON pgsr_1_0.orders USING btree (placed)', elapsedMs: 0, built: 0, total: 3, ...change,
});

describe('units', () => {
  test.each([[0, '0 B'], [999, '999 B'], [48_213, '48.2 kB'], [5_900_000, '5.9 MB'], [3.2e12, '3.2 TB']])('formatBytes(%d) = %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
  test.each([[850, '850 ms'], [12_340, '12.3 s'], [245_000, '4 min 05 s']])('formatDuration(%d) = %s', (n, text) => {
    expect(formatDuration(n)).toBe(text);
  });
  test('formatCount groups thousands', () => {
    expect([formatCount(7), formatCount(1234), formatCount(1234567)]).toEqual(['7', '1,234', '1,234,567']);
  });
});

describe('TableBoard', () => {
  test('one aligned line per table; running tables tick, finished ones stay with their final numbers', () => {
    const board = new TableBoard();
    board.apply(table({ table: 'users', status: 'done', rows: 200, bytes: 24_100, elapsedMs: 120 }), 1000);
    board.apply(table({ rows: 1200, bytes: 98_000, elapsedMs: 1300, estimatedRows: 3000 }), 1000);
    expect(board.lines(1500)).toEqual([
      '✔ customer_a1.users               200 rows   24.1 kB  120 ms',
      '› customer_a1.orders  1,200 of ~3,000 rows   98.0 kB  1.8 s',
    ]);
    board.apply(table({ status: 'done', rows: 3010, bytes: 240_000, elapsedMs: 2000 }), 2000);
    expect(board.lines(9000)[1]).toBe('✔ customer_a1.orders  3,010 rows  240.0 kB  2.0 s');
    expect(board.size).toBe(2);
  });
});

describe('createProgressDisplay', () => {
  test.each([
    ['a pipe', new BufferOutput(false), {}],
    ['a dumb terminal', new BufferOutput(true), { TERM: 'dumb' }],
  ])('on %s it logs plain lines', async (_case, out, env) => {
    const display = createProgressDisplay(out, { env, now: () => new Date(0) });
    display.onProgress({ type: 'phase', phase: 'publish', status: 'done', message: 'published' });
    await display.close();
    expect(out.text).toBe('1970-01-01T00:00:00.000Z publish done: published\n');
  });

  test('plain lines name each finished post-data build, with how many of all are done', async () => {
    const out = new BufferOutput(false);
    const display = createProgressDisplay(out, { env: {}, now: () => new Date(0) });
    display.onProgress(build({}));
    display.onProgress(build({ status: 'done', elapsedMs: 1234, built: 1 }));
    await display.close();
    expect(out.text).toBe('1970-01-01T00:00:00.000Z built CREATE INDEX orders_placed ON pgsr_1_0.orders USING btree (placed) in 1.2 s (1 of 3)\n');
  });
});

describe('live display', () => {
  test('settles phases and closes, on success and on failure, without hanging', async () => {
    const ok = createLiveDisplay({ renderer: 'silent', refreshMs: 5 });
    ok.onProgress({ type: 'phase', phase: 'connect', status: 'start', message: 'connecting' });
    ok.onProgress({ type: 'phase', phase: 'connect', status: 'done', message: 'connected' });
    ok.onProgress({ type: 'phase', phase: 'snapshot', status: 'done', message: 'snapshot taken' });
    ok.onProgress({ type: 'log', level: 'info', message: 'between phases' });
    ok.onProgress(table({ status: 'start' }));
    ok.onProgress(table({ status: 'done', rows: 5 }));
    await ok.close();

    const failed = createLiveDisplay({ renderer: 'silent' });
    failed.onProgress({ type: 'phase', phase: 'copy', status: 'start', message: 'copying' });
    await expect(failed.close(new Error('boom'))).resolves.toBeUndefined();
  });

  test('on a terminal (stderr) the CLI uses the live display there instead of log lines; the summary alone goes to stdout', async () => {
    const terminal = new BufferOutput(true);
    const drawnOn: unknown[] = [];
    const cli = fakeCli(scriptedRestore(), {
      stderr: terminal,
      createDisplay: (out) => {
        drawnOn.push(out);
        return createLiveDisplay({ renderer: 'silent' });
      },
    });
    expect(await runCli(['restore', '--source', 'postgres://h/a', '--target', 'postgres://h/b', '--schema', 'customer_a1'], cli.deps)).toBe(0);
    expect(drawnOn).toEqual([terminal]);
    expect(cli.stdout.text).toMatch(/^Restored 1 schema in 4\.2 s/);
    expect(cli.stdout.text + terminal.text).not.toMatch(/connect started/);
  });

  test('builds that overlap the copy show as one line of counts under the phase on screen', async () => {
    const drawn: string[] = [];
    const stream = terminalStream(drawn);
    const display = createLiveDisplay({ stream, renderer: 'simple', refreshMs: 5 });
    display.onProgress({ type: 'phase', phase: 'copy', status: 'start', message: 'copying' });
    display.onProgress(table({ status: 'start' }));
    display.onProgress(build({}));
    display.onProgress(build({ statement: 'CREATE INDEX b', status: 'start' }));
    display.onProgress(build({ status: 'done', built: 1 }));
    display.onProgress({ type: 'phase', phase: 'copy', status: 'done', message: 'copied' });
    await display.close();
    expect(drawn.join('')).toContain('indexes and keys: 1 of 3 built, 1 building');
  });

  test('listr2 writes to the stream it is given (stderr by default), never to stdout', async () => {
    const drawn: string[] = [];
    const stream = terminalStream(drawn);
    const stdoutWrite = jest.spyOn(process.stdout, 'write');
    try {
      // 'simple' stands in for the redrawing renderer, which jest cannot load (ESM-only log-update).
      const display = createLiveDisplay({ stream, renderer: 'simple', refreshMs: 5 });
      display.onProgress({ type: 'phase', phase: 'connect', status: 'start', message: 'connecting to the source' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      display.onProgress({ type: 'phase', phase: 'connect', status: 'done', message: 'connected' });
      await display.close();
      expect(drawn.join('')).toContain('connected');
      expect(stdoutWrite).not.toHaveBeenCalled();
    } finally {
      stdoutWrite.mockRestore();
    }
  });
});
