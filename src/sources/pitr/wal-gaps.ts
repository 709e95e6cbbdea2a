/** The default WAL segment size; `initdb --wal-segsize` can choose another power of two. */
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/** Options of {@link firstWalGap}. */
export interface WalGapOptions {
  /** Complete segment file names in the archive (`000000010000000000000002`), any order. */
  readonly segments: readonly string[];
  /** The segment replay starts from; only segments from there on, on its timeline, count. */
  readonly from: string;
  /** Size of one segment file, which sets how many segments a log file number holds. @default 16 MiB */
  readonly segmentBytes?: number;
}

/** Where a missing segment sits: its file name and the archived segments around it. */
export interface WalGap {
  readonly missing: string;
  readonly before: string;
  readonly after: string;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

/**
 * The first segment missing from the middle of a WAL archive: the archive holds segments before and
 * after it on the timeline replay starts on, so replay would stop there. Undefined when the archived
 * segments run without a hole, or when a later timeline exists (a switch of timeline leaves the old one
 * unfinished on purpose).
 *
 * @example
 * firstWalGap({ segments: ['000000010000000000000002', '000000010000000000000004'], from: '000000010000000000000002' });
 * // → { missing: '000000010000000000000003', before: '…02', after: '…04' }
 */
export function firstWalGap(options: WalGapOptions): WalGap | undefined {
  const size = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  // A segment size PostgreSQL allows: a power of two from 1 MiB to 1 GiB.
  const perLog = size >= 2 ** 20 && size <= 2 ** 30 && Number.isInteger(Math.log2(size)) ? 2 ** 32 / size : 2 ** 32 / DEFAULT_SEGMENT_BYTES;
  const timeline = options.from.slice(0, 8);
  if (options.segments.some((s) => s.slice(0, 8) > timeline)) return undefined;
  const number = (name: string): number => parseInt(name.slice(8, 16), 16) * perLog + parseInt(name.slice(16, 24), 16);
  const nameOf = (n: number): string => `${timeline}${hex8(Math.floor(n / perLog))}${hex8(n % perLog)}`;
  const start = number(options.from);
  const onTimeline = options.segments.filter((s) => s.slice(0, 8) === timeline).map(number);
  const present = [...new Set(onTimeline)].filter((n) => n >= start).sort((a, b) => a - b);
  for (let i = 1; i < present.length; i++) {
    if (present[i] > present[i - 1] + 1) return { missing: nameOf(present[i - 1] + 1), before: nameOf(present[i - 1]), after: nameOf(present[i]) };
  }
  return undefined;
}
