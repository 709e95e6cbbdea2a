import type { CopyTableResult } from './copy-table';
import { ProgressEvent, ProgressListener, TableEvent } from '../progress';
import { addChecksums } from './row-hash';
import type { RelationChecksum } from '../validate/checksum-relation';

/**
 * One split table while its parts are copied by several workers: turns the parts' progress events
 * into one table's events (a single `start`, `progress` with the rows and bytes of all parts so far,
 * one `done` after the last part) and adds up the parts' results, so the display shows one line per
 * table and the report one row count.
 *
 * @example
 * const parts = new TableParts(4, emit);
 * const result = await copyTable({ ...options, range: ranges[0], onProgress: parts.listener(0) });
 * const whole = parts.add(result); // the table's result once every part has ended, else undefined
 */
export class TableParts {
  private readonly running = new Map<number, { rows: number; bytes: number }>();
  private finished = { rows: 0, bytes: 0 };
  private startedAt?: number;
  private eventsLeft: number;
  private resultsLeft: number;
  private readonly total: { rows: number; bytes: number; checksum?: RelationChecksum } = { rows: 0, bytes: 0 };

  constructor(readonly parts: number, private readonly emit: ProgressListener) {
    this.eventsLeft = parts;
    this.resultsLeft = parts;
  }

  /** The listener to give part `index`'s copy: table events are merged, others passed on. */
  listener(index: number): ProgressListener {
    return (event: ProgressEvent) => {
      if (event.type !== 'table') return this.emit(event);
      this.apply(index, event);
    };
  }

  /** Record a part's result; once every part has ended, the table's (rows, bytes and checksums summed, time since the first part started). */
  add(result: CopyTableResult): CopyTableResult | undefined {
    this.total.rows += result.rows;
    this.total.bytes += result.bytes;
    if (result.checksum) this.total.checksum = this.total.checksum ? addChecksums(this.total.checksum, result.checksum) : result.checksum;
    if (--this.resultsLeft > 0) return undefined;
    return { ...this.total, durationMs: Date.now() - (this.startedAt ?? Date.now()) };
  }

  private apply(index: number, event: TableEvent): void {
    const first = this.startedAt === undefined;
    this.startedAt ??= Date.now();
    if (event.status === 'done') {
      this.running.delete(index);
      this.finished = { rows: this.finished.rows + event.rows, bytes: this.finished.bytes + event.bytes };
      this.eventsLeft--;
    } else {
      this.running.set(index, { rows: event.rows, bytes: event.bytes });
    }
    let rows = this.finished.rows;
    let bytes = this.finished.bytes;
    for (const part of this.running.values()) {
      rows += part.rows;
      bytes += part.bytes;
    }
    const status = this.eventsLeft === 0 ? 'done' : first ? 'start' : 'progress';
    this.emit({ ...event, status, rows, bytes, elapsedMs: Date.now() - this.startedAt });
  }
}
