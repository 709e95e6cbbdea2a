import { ArchiveBoard, ArchiveLog } from '../../../src/cli/display/archive-board';
import { createLiveDisplay } from '../../../src/cli/display/live-display';
import { createPlainLogDisplay } from '../../../src/cli/display/plain-log-display';
import { ArchiveEvent } from '../../../src/progress';
import { BufferOutput, terminalStream } from '../../support/cli';

const archive = (change: Partial<ArchiveEvent>): ArchiveEvent => ({
  type: 'archive', status: 'progress', schema: 'customer_a1', location: '/b/app/2026-11-27T190212Z/customer_a1.dump', bytes: 0, elapsedMs: 0, ...change,
});

test('ArchiveBoard: one aligned line per archive; a running one ticks, a stored one keeps its final size and time', () => {
  const board = new ArchiveBoard();
  board.apply(archive({ schema: 'a1', status: 'done', bytes: 1_200_000, elapsedMs: 2000, location: 's3://b/a1.dump' }), 1000);
  board.apply(archive({ bytes: 48_213, elapsedMs: 500 }), 1000);
  expect(board.lines(1700)).toEqual([
    '✔ a1             1.2 MB  2.0 s  s3://b/a1.dump',
    '› customer_a1   48.2 kB  1.2 s  /b/app/2026-11-27T190212Z/customer_a1.dump',
  ]);
  board.clear();
  expect(board.lines(0)).toEqual([]);
});

test('ArchiveLog: a line at start and when stored; progress at most every 10 s per archive', () => {
  const log = new ArchiveLog();
  expect(log.line(archive({ status: 'start' }), 0)).toBe('archive customer_a1 started: /b/app/2026-11-27T190212Z/customer_a1.dump');
  expect(log.line(archive({ bytes: 5_000_000, elapsedMs: 500 }), 500)).toBeUndefined();
  expect(log.line(archive({ schema: 'a2', status: 'start' }), 9000)).toMatch(/^archive a2 started/);
  expect(log.line(archive({ bytes: 90_000_000, elapsedMs: 10_000 }), 10_000)).toBe('archive customer_a1: 90.0 MB so far (10.0 s)');
  expect(log.line(archive({ bytes: 91_000_000, elapsedMs: 10_500 }), 10_500)).toBeUndefined();
  expect(log.line(archive({ status: 'done', bytes: 95_000_000, elapsedMs: 12_000 }), 12_000))
    .toBe('archive customer_a1 stored: 95.0 MB in 12.0 s → /b/app/2026-11-27T190212Z/customer_a1.dump');
});

test('the plain log display writes timestamped archive lines', async () => {
  const out = new BufferOutput();
  const display = createPlainLogDisplay(out, () => new Date(0));
  display.onProgress(archive({ status: 'start' }));
  display.onProgress(archive({ bytes: 10 }));
  display.onProgress(archive({ status: 'done', bytes: 1000, elapsedMs: 20 }));
  await display.close();
  expect(out.lines()).toEqual([
    '1970-01-01T00:00:00.000Z archive customer_a1 started: /b/app/2026-11-27T190212Z/customer_a1.dump',
    '1970-01-01T00:00:00.000Z archive customer_a1 stored: 1.0 kB in 20 ms → /b/app/2026-11-27T190212Z/customer_a1.dump',
  ]);
});

test('the live display shows archives (a backup has no phases) under a line of their own', async () => {
  const drawn: string[] = [];
  const display = createLiveDisplay({ stream: terminalStream(drawn), renderer: 'simple', refreshMs: 5 });
  display.onProgress({ type: 'log', level: 'info', message: 'backing up 1 schema(s) of app' });
  display.onProgress(archive({ status: 'start' }));
  display.onProgress(archive({ bytes: 48_213 }));
  display.onProgress(archive({ status: 'done', bytes: 96_000, elapsedMs: 900 }));
  await display.close();
  const screen = drawn.join('');
  expect(screen).toContain('writing archives');
  expect(screen).toContain('backing up 1 schema(s) of app');
  expect(screen).toMatch(/✔ customer_a1 +96\.0 kB {2}900 ms {2}\/b\/app\/2026-11-27T190212Z\/customer_a1\.dump/);
});
