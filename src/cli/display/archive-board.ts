import { formatBytes, formatDuration } from '../../format-units';
import { ArchiveEvent } from '../../progress';

/** A running archive's plain log line comes at most this often (the events come every 500 ms). */
const LOG_PROGRESS_EVERY_MS = 10_000;

/**
 * The archives part of the live display: one aligned line per schema archive — bytes so far (or in
 * all), elapsed time, where it goes — finished ones included, in the order they started.
 *
 * @example
 * const board = new ArchiveBoard();
 * board.apply(event, Date.now());
 * board.lines(Date.now()); // ['› customer_a1  12.3 MB  4.1 s  s3://backups/nightly/app/2026-11-27T190212Z/customer_a1.dump']
 */
export class ArchiveBoard {
  private readonly archives = new Map<string, { readonly event: ArchiveEvent; readonly receivedAt: number }>();

  /** Record an archive event (start, progress or done). */
  public apply(event: ArchiveEvent, nowMs: number): void {
    this.archives.set(event.schema, { event, receivedAt: nowMs });
  }

  public clear(): void {
    this.archives.clear();
  }

  /** Display lines in the order archives started. */
  public lines(nowMs: number): string[] {
    const states = [...this.archives.values()];
    const nameWidth = Math.max(0, ...states.map((s) => s.event.schema.length));
    return states.map(({ event, receivedAt }) => {
      const done = event.status === 'done';
      const elapsed = done ? event.elapsedMs : event.elapsedMs + Math.max(0, nowMs - receivedAt);
      return `${done ? '✔' : '›'} ${event.schema.padEnd(nameWidth)}  ${formatBytes(event.bytes).padStart(8)}  ${formatDuration(elapsed)}  ${event.location}`;
    });
  }
}

/**
 * Plain log lines for archive events: one when an archive starts and one when it is stored, and
 * for a long one its bytes so far every 10 s, so a log shows it is moving without a line per event.
 *
 * @example
 * const log = new ArchiveLog();
 * log.line(event, Date.now()); // 'archive customer_a1 stored: 12.3 MB in 4.1 s → /backups/app/…/customer_a1.dump'
 */
export class ArchiveLog {
  private readonly lastLogged = new Map<string, number>();

  /** The line for an event, or undefined when it is not worth a line. */
  public line(event: ArchiveEvent, nowMs: number): string | undefined {
    if (event.status === 'start') {
      this.lastLogged.set(event.schema, nowMs);
      return `archive ${event.schema} started: ${event.location}`;
    }
    if (event.status === 'done') {
      this.lastLogged.delete(event.schema);
      return `archive ${event.schema} stored: ${formatBytes(event.bytes)} in ${formatDuration(event.elapsedMs)} → ${event.location}`;
    }
    if (nowMs - (this.lastLogged.get(event.schema) ?? 0) < LOG_PROGRESS_EVERY_MS) return undefined;
    this.lastLogged.set(event.schema, nowMs);
    return `archive ${event.schema}: ${formatBytes(event.bytes)} so far (${formatDuration(event.elapsedMs)})`;
  }
}
