import { ProgressListener } from '../../progress';

/** Something that shows a restore's progress events to people. */
export interface ProgressDisplay {
  /** Pass as `onProgress` to `restoreSchema`. */
  readonly onProgress: ProgressListener;
  /**
   * The restore settled: finish the display (marking the running step failed when `error` is
   * given) and leave the terminal tidy for what is printed next.
   */
  close(error?: unknown): Promise<void>;
}
