import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { planRestore, RestoreReport, RestoreSchemaOptions } from '../../src';
import { CliDeps, CliOutput, RestoreFunction } from '../../src/cli/cli-deps';
import { createProgressDisplay } from '../../src/cli/display/create-progress-display';

/** A CliOutput that keeps what was written. */
export class BufferOutput implements CliOutput {
  public text = '';
  constructor(public readonly isTTY = false) {}
  public write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  public lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }
}

/** CLI dependencies for in-process tests: buffered output, an EventEmitter for signals, a fixed clock. */
export interface FakeCli {
  readonly deps: CliDeps;
  readonly stdout: BufferOutput;
  readonly stderr: BufferOutput;
  readonly signals: EventEmitter;
  readonly exits: number[];
  /** Options each restore call received. */
  readonly calls: RestoreSchemaOptions[];
}

export function fakeCli(restore: RestoreFunction, overrides: Partial<CliDeps> = {}): FakeCli {
  const stdout = new BufferOutput();
  const stderr = new BufferOutput();
  const signals = new EventEmitter();
  const exits: number[] = [];
  const calls: RestoreSchemaOptions[] = [];
  const now = (): Date => new Date('2024-01-28T14:30:00.000Z');
  const deps: CliDeps = {
    restore: (options) => {
      calls.push(options);
      return restore(options);
    },
    stdout,
    stderr,
    env: {},
    signals,
    exit: (code) => {
      exits.push(code);
    },
    now,
    createDisplay: (out) => createProgressDisplay(out, { now }),
    startCluster: () => {
      throw new Error('no cluster in this test');
    },
    plan: planRestore,
    ...overrides,
  };
  return { deps, stdout, stderr, signals, exits, calls };
}

/** A report like restoreSchema returns for one schema. */
export function sampleReport(overrides: Partial<RestoreReport> = {}): RestoreReport {
  return {
    restoreId: 'r-123',
    restorePoint: '2024-01-28T14:30:00.000Z',
    schemas: [{
      source: 'customer_a1',
      restored: 'customer_a1_20240128143000',
      tables: [
        { name: 'users', kind: 'table', rows: 200, bytes: 24_100, sourceRows: 200, checksumMatch: true, durationMs: 120 },
        { name: 'orders', kind: 'table', rows: 1234, bytes: 98_000, sourceRows: 1234, checksumMatch: false, durationMs: 300 },
        { name: 'product_sales', kind: 'materialized view', rows: 50, bytes: 0, checksumMatch: undefined, durationMs: 10 },
      ],
      sequences: [{ name: 'users_id_seq', lastValue: '200', isCalled: true }, { name: 'orders_id_seq', lastValue: '1234', isCalled: true }],
    }],
    warnings: ['table customer_a1.cache is UNLOGGED'],
    durationMs: 4200,
    ...overrides,
  };
}

/** A restore that emits a typical event sequence, then returns the report. */
export function scriptedRestore(report: RestoreReport = sampleReport()): RestoreFunction {
  return async (options) => {
    const emit = options.onProgress ?? (() => undefined);
    emit({ type: 'phase', phase: 'connect', status: 'start', message: 'connecting to the source and the target' });
    emit({ type: 'phase', phase: 'connect', status: 'done', message: 'connected' });
    emit({ type: 'phase', phase: 'copy', status: 'start', message: 'copying 2 tables with 4 workers' });
    emit({ type: 'table', status: 'start', schema: 'customer_a1', table: 'users', rows: 0, bytes: 0, elapsedMs: 0, estimatedRows: 200 });
    emit({ type: 'table', status: 'progress', schema: 'customer_a1', table: 'users', rows: 100, bytes: 12_000, elapsedMs: 60, estimatedRows: 200 });
    emit({ type: 'table', status: 'done', schema: 'customer_a1', table: 'users', rows: 200, bytes: 24_100, elapsedMs: 120 });
    emit({ type: 'log', level: 'warn', message: 'table customer_a1.cache is UNLOGGED' });
    emit({ type: 'phase', phase: 'copy', status: 'done', message: 'copied 2 tables' });
    return report;
  };
}

/** A restore that waits until aborted, "cleans up", then rejects as restoreSchema does. */
export function restoreUntilAborted(onStarted?: () => void): RestoreFunction {
  return (options) => new Promise((_resolve, reject) => {
    options.onProgress?.({ type: 'phase', phase: 'copy', status: 'start', message: 'copying' });
    options.signal?.addEventListener('abort', () => {
      setTimeout(() => {
        options.onProgress?.({ type: 'phase', phase: 'cleanup', status: 'done', message: 'removed what this restore created' });
        reject(options.signal?.reason);
      }, 20);
    });
    onStarted?.();
  });
}

/** A terminal-like stream that keeps what is drawn on it. */
export const terminalStream = (drawn: string[]): NodeJS.WriteStream => Object.assign(new Writable({
  write: (chunk: Buffer, _enc, done) => {
    drawn.push(chunk.toString());
    done();
  },
}), { isTTY: true, columns: 100, rows: 40 }) as unknown as NodeJS.WriteStream;
