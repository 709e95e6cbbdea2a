import { formatBytes, formatCount, formatDuration } from '../../format-units';
import { TableEvent } from '../../progress';

interface TableState {
  readonly name: string;
  readonly event: TableEvent;
  /** When the event arrived, so a running table's elapsed time keeps ticking between events. */
  readonly receivedAt: number;
}

/**
 * The per-table part of the live display: one aligned line per table copied so far — rows (of the
 * planner's estimate while running), bytes, elapsed time — finished tables included.
 *
 * @example
 * const board = new TableBoard();
 * board.apply(event, Date.now());
 * board.lines(Date.now()); // ['✔ customer_a1.users  200 rows  24.1 kB  120 ms']
 */
export class TableBoard {
  private readonly tables = new Map<string, TableState>();

  /** Record a table event (start, progress or done). */
  public apply(event: TableEvent, nowMs: number): void {
    const name = `${event.schema}.${event.table}`;
    this.tables.set(JSON.stringify([event.schema, event.table]), { name, event, receivedAt: nowMs });
  }

  public get size(): number {
    return this.tables.size;
  }

  public clear(): void {
    this.tables.clear();
  }

  /** Display lines in the order tables started. */
  public lines(nowMs: number): string[] {
    const states = [...this.tables.values()];
    const nameWidth = Math.max(0, ...states.map((s) => s.name.length));
    const rows = states.map((s) => rowsText(s.event));
    const rowsWidth = Math.max(0, ...rows.map((r) => r.length));
    return states.map((s, i) => {
      const done = s.event.status === 'done';
      const elapsed = done ? s.event.elapsedMs : s.event.elapsedMs + Math.max(0, nowMs - s.receivedAt);
      const mark = done ? '✔' : '›';
      return `${mark} ${s.name.padEnd(nameWidth)}  ${rows[i].padStart(rowsWidth)}  ${formatBytes(s.event.bytes).padStart(8)}  ${formatDuration(elapsed)}`;
    });
  }
}

function rowsText(event: TableEvent): string {
  if (event.status !== 'done' && event.estimatedRows !== undefined && event.estimatedRows > 0) {
    return `${formatCount(event.rows)} of ~${formatCount(event.estimatedRows)} rows`;
  }
  return `${formatCount(event.rows)} rows`;
}
