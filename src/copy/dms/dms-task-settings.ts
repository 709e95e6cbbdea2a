import { InvalidInputError } from '../../errors';

/** How a task moves large values: limited mode with a maximum size, or full mode (piecewise, slower, any size). */
export type DmsLobMode =
  | { readonly mode: 'limited'; /** `LobMaxSize`, in KB. */ readonly lobMaxSizeKb: number }
  | { readonly mode: 'full' };

/** Largest value (bytes) for which limited LOB mode is chosen. */
export const DEFAULT_LIMITED_LOB_THRESHOLD_BYTES = 64 * 1024 * 1024;
/** DMS refuses a larger `LobMaxSize` (100 MB). */
export const DMS_MAX_LOB_MAX_SIZE_KB = 102_400;
/** Smallest `LobMaxSize` we set: DMS's own default of 32 KB and then some. */
const MIN_LOB_MAX_SIZE_KB = 64;
/** Headroom over the largest value: text may travel as a two-byte-per-character NCLOB. */
const DEFAULT_HEADROOM_FACTOR = 2;

/** Options of {@link chooseLobMode}. */
export interface ChooseLobModeOptions {
  /** Largest value for which limited mode is used. @default DEFAULT_LIMITED_LOB_THRESHOLD_BYTES (64 MB) */
  readonly thresholdBytes?: number;
  /** `LobMaxSize` is the largest value times this. @default 2 */
  readonly headroomFactor?: number;
}

/**
 * The LOB mode for a load whose largest value is `largestBytes`: limited mode with `LobMaxSize`
 * above that value (so nothing can be cut off) when it is at most the threshold and fits DMS's
 * 100 MB limit, full LOB mode otherwise.
 *
 * @example
 * chooseLobMode(6 * 1024 * 1024); // { mode: 'limited', lobMaxSizeKb: 12288 }
 * chooseLobMode(200 * 1024 * 1024); // { mode: 'full' }
 */
export function chooseLobMode(largestBytes: number, options: ChooseLobModeOptions = {}): DmsLobMode {
  const threshold = options.thresholdBytes ?? DEFAULT_LIMITED_LOB_THRESHOLD_BYTES;
  const factor = options.headroomFactor ?? DEFAULT_HEADROOM_FACTOR;
  if (!(largestBytes >= 0)) throw new InvalidInputError(`the largest value size must be a number of bytes of at least 0, got ${largestBytes}`);
  if (!(factor >= 1)) throw new InvalidInputError(`the LOB headroom factor must be at least 1, got ${factor}`);
  const lobMaxSizeKb = Math.max(MIN_LOB_MAX_SIZE_KB, Math.ceil((largestBytes * factor) / 1024));
  if (largestBytes > threshold || lobMaxSizeKb > DMS_MAX_LOB_MAX_SIZE_KB) return { mode: 'full' };
  return { mode: 'limited', lobMaxSizeKb };
}

/** Options of {@link dmsTaskSettings}. */
export interface DmsTaskSettingsOptions {
  readonly lob: DmsLobMode;
  /** Tables loaded in parallel (`MaxFullLoadSubTasks`, 1–49). @default 8 */
  readonly maxFullLoadSubTasks?: number;
  /** Send the task's log to CloudWatch (needs the `dms-cloudwatch-logs-role` IAM role). @default false */
  readonly logging?: boolean;
}

/**
 * The `ReplicationTaskSettings` of a full load into tables the pre-data DDL already created: leave
 * them as they are (`DO_NOTHING`), large values never cut off, DMS validation off (the restore
 * validates with checksums), and every data, truncation or table error stops the task. Pure.
 *
 * @example
 * JSON.stringify(dmsTaskSettings({ lob: chooseLobMode(largest), maxFullLoadSubTasks: 4 }));
 */
export function dmsTaskSettings(options: DmsTaskSettingsOptions): Record<string, unknown> {
  const { lob } = options;
  const subTasks = Math.min(49, Math.max(1, Math.floor(options.maxFullLoadSubTasks ?? 8)));
  return {
    TargetMetadata: {
      SupportLobs: true,
      FullLobMode: lob.mode === 'full',
      LobChunkSize: 64,
      LimitedSizeLobMode: lob.mode === 'limited',
      LobMaxSize: lob.mode === 'limited' ? lob.lobMaxSizeKb : 0,
      InlineLobMaxSize: 0,
    },
    FullLoadSettings: {
      TargetTablePrepMode: 'DO_NOTHING',
      CreatePkAfterFullLoad: false,
      StopTaskCachedChangesApplied: false,
      StopTaskCachedChangesNotApplied: false,
      MaxFullLoadSubTasks: subTasks,
      CommitRate: 10000,
    },
    ValidationSettings: { EnableValidation: false },
    ErrorBehavior: {
      DataErrorPolicy: 'STOP_TASK',
      DataTruncationErrorPolicy: 'STOP_TASK',
      TableErrorPolicy: 'STOP_TASK',
      FailOnNoTablesCaptured: true,
    },
    Logging: { EnableLogging: options.logging ?? false },
  };
}
