import { Listr, ListrLogger, ListrRendererValue, ProcessOutput } from 'listr2';
import { ArchiveBoard } from './archive-board';
import { ProgressDisplay } from './progress-display';
import { TableBoard } from './table-board';
import { formatDuration } from '../../format-units';
import { PhaseEvent, ProgressEvent } from '../../progress';

export interface LiveDisplayOptions {
  /** listr2 renderer; tests use `'silent'`. @default 'default' (redraws in place, spinner and timers) */
  readonly renderer?: 'default' | 'simple' | 'silent';
  readonly now?: () => number;
  /** How often running tables' elapsed times are redrawn. @default 500 */
  readonly refreshMs?: number;
  /** The terminal drawn on; stdout stays for results, as with pg_dump. @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
}

/**
 * One phase on screen: a listr2 task list of its own, so phases appear only when they happen. Its
 * title is a multi-line block (message, notes, table lines) that listr2 redraws in place.
 */
interface PhaseRun {
  readonly phase: PhaseEvent['phase'];
  readonly startedAt: number;
  endedAt?: number;
  message: string;
  title: string;
  settled: boolean;
  readonly finished: Promise<void>;
  setTitle?: (text: string) => void;
  resolve(): void;
  reject(error: unknown): void;
}

function newRun(event: Pick<PhaseEvent, 'phase' | 'message'>, startedAt: number): PhaseRun {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const finished = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Its task may start only after it failed (the previous phase still on screen): not unhandled.
  finished.catch(() => undefined);
  return { phase: event.phase, startedAt, message: event.message, title: event.message, settled: false, resolve, reject, finished };
}

/**
 * The terminal display: each phase as a listr2 task (spinner, its message, elapsed time) with its
 * notes, and under the copy phase one line per table with rows, bytes and elapsed time; finished
 * phases and tables stay on screen. listr2 redraws in place, truncates to the terminal width and
 * restores the cursor; it is only used on a TTY.
 *
 * @example
 * const display = createLiveDisplay();
 * try { await restoreSchema({ ...options, onProgress: display.onProgress }); await display.close(); }
 * catch (err) { await display.close(err); throw err; }
 */
export function createLiveDisplay(options: LiveDisplayOptions = {}): ProgressDisplay {
  const now = options.now ?? Date.now;
  const board = new TableBoard();
  const archives = new ArchiveBoard();
  const notes: string[] = [];
  const builds = { running: 0, built: 0, total: 0 };
  let current: PhaseRun | undefined;
  let shown: Promise<void> = Promise.resolve();
  let ticker: NodeJS.Timeout | undefined;
  const stream = options.stream ?? process.stderr;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream) });

  const render = (run: PhaseRun): void => {
    const elapsed = formatDuration((run.endedAt ?? now()) - run.startedAt);
    const building = builds.total > 0 && (builds.running > 0 || builds.built < builds.total)
      ? [`indexes and keys: ${builds.built} of ${builds.total} built${builds.running > 0 ? `, ${builds.running} building` : ''}`] : [];
    const lines = [`${run.message} [${elapsed}]`, ...notes, ...board.lines(now()), ...archives.lines(now()), ...building];
    run.title = lines.join('\n');
    run.setTitle?.(run.title);
  };
  const refresh = (): void => {
    if (current && !current.settled) render(current);
  };

  const settle = (error?: unknown): void => {
    if (!current || current.settled) return;
    current.settled = true;
    current.endedAt = now();
    render(current);
    notes.length = 0;
    if (error === undefined) current.resolve();
    else current.reject(error);
  };

  const show = (run: PhaseRun): Promise<void> => new Listr([{
    title: run.title,
    task: async (_ctx, task): Promise<void> => {
      run.setTitle = (text) => {
        task.title = text;
      };
      task.title = run.title;
      await run.finished;
      task.title = run.title;
    },
  }], {
    renderer: (options.renderer ?? 'default') as ListrRendererValue,
    fallbackRenderer: (options.renderer ?? 'default') as ListrRendererValue,
    registerSignalListeners: false,
    exitOnError: true,
    // listr2 falls back when stdout is no terminal (`restore > report.txt`): same renderer, same stream.
    rendererOptions: { showErrorMessage: false, formatOutput: 'truncate', logger },
    fallbackRendererOptions: { showErrorMessage: false, formatOutput: 'truncate', logger },
  }).run().then(() => undefined);

  const startPhase = (event: Pick<PhaseEvent, 'phase' | 'message'>): void => {
    // A phase that never reported its end was cut short (a failure, then cleanup): show it failed.
    settle(new Error(`${current?.phase} did not finish`));
    board.clear();
    archives.clear();
    const run = newRun(event, now());
    current = run;
    render(run);
    // One phase on screen at a time: the next list renders below the finished one.
    shown = shown.then(() => show(run)).catch(() => undefined);
    ticker ??= setInterval(refresh, options.refreshMs ?? 500);
    ticker.unref();
  };

  const onProgress = (event: ProgressEvent): void => {
    if (event.type === 'phase') {
      if (event.status === 'start') {
        startPhase(event);
      } else {
        // A phase may report only its end (a step too quick to announce): show it as finished.
        if (current?.phase !== event.phase || current.settled) startPhase(event);
        current!.message = event.message;
        settle();
      }
      return;
    }
    if (event.type === 'build') {
      // Builds overlap the copy: one line of counts under whichever phase is on screen.
      builds.running += event.status === 'start' ? 1 : -1;
      builds.built = event.status === 'done' ? event.built : builds.built;
      builds.total = event.total;
    } else if (event.type === 'log') {
      // Between phases a note waits for the next one rather than inventing a phase of its own.
      notes.push(`${event.level === 'warn' ? '⚠' : 'ℹ'} ${event.message}`);
    } else if (event.type === 'table') {
      if (!current || current.settled) startPhase({ phase: 'copy', message: 'copying tables' });
      board.apply(event, now());
    } else if (event.type === 'archive') {
      // A backup has no phases of its own: its archives show under one line of their own.
      if (!current || current.settled) startPhase({ phase: 'copy', message: 'writing archives' });
      archives.apply(event, now());
    }
    refresh();
  };

  return {
    onProgress,
    close: async (error?: unknown) => {
      settle(error);
      await shown;
      if (ticker) clearInterval(ticker);
    },
  };
}
