import type { KeyKind } from '../compare/choose-key';

/**
 * What a repair puts back: `deleted` re-inserts rows only in the restored schema, `changed` sets rows
 * with the same key back to their restored values, `added` deletes rows only in live.
 */
export type RepairCategory = 'deleted' | 'changed' | 'added';

/** The categories in the order they are reported. */
export const REPAIR_CATEGORIES: readonly RepairCategory[] = ['deleted', 'changed', 'added'];

/** What was (or, in a dry run, would be) written to one live table. */
export interface TableRepair {
  readonly table: string;
  /** The columns rows are matched by; for `keyKind: 'row'` every compared column. */
  readonly key: readonly string[];
  readonly keyKind: KeyKind;
  /** Rows re-inserted (asked with `deleted`). */
  readonly deleted?: number;
  /** Rows set back to their restored values (asked with `changed`). */
  readonly changed?: number;
  /** Rows deleted (asked with `added`); a dry run always counts them. */
  readonly added?: number;
}

/** A sequence of the live schema moved forward past the repaired values. */
export interface SequenceMove {
  /** `"schema"."name"`, quoted. */
  readonly sequence: string;
  /** The value it had. */
  readonly from: string;
  /** The value it was set to (the largest value of its column). */
  readonly to: string;
}

/** What {@link repairRows} did, or would do. */
export interface RepairResult {
  /** The live schema written to. */
  readonly schema: string;
  /** The restored schema the rows came from. */
  readonly from: string;
  /** The categories asked for. */
  readonly categories: readonly RepairCategory[];
  /** Nothing was written: the counts say what would be. */
  readonly dryRun: boolean;
  /** Triggers of the live tables fired (false with `triggers: false`). */
  readonly triggers: boolean;
  /** Per table, in the order written (parents before children). */
  readonly tables: readonly TableRepair[];
  /** The statements run (or that would run), in order; identifiers only, no data values. */
  readonly plan: readonly string[];
  /** Sequences moved forward (none in a dry run). */
  readonly sequences: readonly SequenceMove[];
  /** A real run checked, before COMMIT, that the diff for the repaired categories is empty. */
  readonly verified: boolean;
}
