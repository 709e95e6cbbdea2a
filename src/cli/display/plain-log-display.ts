import { formatBytes, formatCount, formatDuration } from '../../format-units';
import { ProgressEvent } from '../../progress';
import { CliOutput } from '../cli-deps';
import { ArchiveLog } from './archive-board';
import { ProgressDisplay } from './progress-display';

/**
 * Progress as plain, timestamped log lines for logs and pipes (no ANSI codes, nothing redrawn): one
 * line per phase start and end, per finished table and post-data build, and per warning or note.
 *
 * @example
 * const display = createPlainLogDisplay(process.stderr);
 * await restoreSchema({ ...options, onProgress: display.onProgress });
 * // 2024-01-28T14:30:01.250Z copy started: copying 4 tables with 4 workers
 * // 2024-01-28T14:30:02.031Z table customer_a1.orders: 600 rows, 48.2 kB in 310 ms
 */
export function createPlainLogDisplay(out: CliOutput, now: () => Date = () => new Date()): ProgressDisplay {
  const line = (text: string): void => {
    out.write(`${now().toISOString()} ${text}\n`);
  };
  const archives = new ArchiveLog();
  const onProgress = (event: ProgressEvent): void => {
    switch (event.type) {
      case 'phase':
        line(`${event.phase} ${event.status === 'start' ? 'started' : 'done'}: ${event.message}`);
        break;
      case 'table':
        if (event.status === 'done') {
          line(`table ${event.schema}.${event.table}: ${formatCount(event.rows)} rows, ${formatBytes(event.bytes)} in ${formatDuration(event.elapsedMs)}`);
        }
        break;
      case 'build':
        if (event.status === 'done') line(`built ${event.statement} in ${formatDuration(event.elapsedMs)} (${event.built} of ${event.total})`);
        break;
      case 'log':
        line(`${event.level === 'warn' ? 'warning' : 'info'}: ${event.message}`);
        break;
      case 'archive': {
        const text = archives.line(event, now().getTime());
        if (text !== undefined) line(text);
        break;
      }
    }
  };
  return { onProgress, close: async () => undefined };
}
