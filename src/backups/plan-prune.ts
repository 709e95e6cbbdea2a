import type { BackupRun } from './backup-catalog';
import { formatAge } from './format-age';
import { RetentionPeriod, retentionBucket } from './retention-buckets';
import { InvalidInputError } from '../errors';

/**
 * How many backups to keep, as restic's `forget --keep-*`: `keepLast` the newest N, `keepDaily` the
 * newest of each of the last N days that have a backup, likewise weeks (ISO), months and years, all
 * in UTC. `Infinity` keeps one per bucket without limit. A backup kept by several rules counts for each.
 */
export interface RetentionPolicy {
  readonly keepLast?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
  readonly keepYearly?: number;
}

/** What {@link planPrune} needs of a run (a {@link BackupRun} has it all). */
export type PrunableRun = Pick<BackupRun, 'path' | 'database' | 'takenAt' | 'complete' | 'problem' | 'lastWriteAt'>;

/** Options of {@link planPrune}. */
export interface PlanPruneOptions<R extends PrunableRun> extends RetentionPolicy {
  /** Runs of one or several databases, in any order; each database is pruned on its own. */
  readonly runs: readonly R[];
  /** Incomplete runs whose last write is older than `now - incompleteAfterMs` are deleted. */
  readonly now: Date;
  /** How long a run without a manifest may be a backup still being written. @default 86_400_000 (a day) */
  readonly incompleteAfterMs?: number;
}

/** What to do with one run, and why. */
export interface PruneDecision<R extends PrunableRun = BackupRun> {
  readonly run: R;
  readonly action: 'keep' | 'delete';
  /** Why: `daily snapshot`, `weekly snapshot`, `oldest monthly snapshot`, `newest complete backup`, … */
  readonly reasons: readonly string[];
}

const RULES: readonly { readonly option: keyof RetentionPolicy; readonly period?: RetentionPeriod; readonly reason: string }[] = [
  { option: 'keepLast', reason: 'last snapshot' },
  { option: 'keepDaily', period: 'daily', reason: 'daily snapshot' },
  { option: 'keepWeekly', period: 'weekly', reason: 'weekly snapshot' },
  { option: 'keepMonthly', period: 'monthly', reason: 'monthly snapshot' },
  { option: 'keepYearly', period: 'yearly', reason: 'yearly snapshot' },
];

function checkPolicy(policy: RetentionPolicy): void {
  for (const { option } of RULES) {
    const n = policy[option];
    if (n !== undefined && !(n === Infinity || (Number.isSafeInteger(n) && n >= 0))) {
      throw new InvalidInputError(`${option} must be a whole number of backups (0 or more), got ${n}`);
    }
  }
  if (!RULES.some(({ option }) => (policy[option] ?? 0) > 0)) {
    throw new InvalidInputError('a retention policy needs at least one keep count above 0 (keepLast, keepDaily, keepWeekly, keepMonthly or keepYearly)');
  }
}

/**
 * restic's ApplyPolicy on one database's complete runs, newest first: the reasons to keep each. With
 * one count above 0 (checkPolicy), the newest run always opens a bucket: it is never deleted.
 */
function keepReasons(ordered: readonly PrunableRun[], policy: RetentionPolicy): string[][] {
  const rules = RULES.map((rule) => ({ ...rule, left: policy[rule.option] ?? 0, last: undefined as number | undefined }));
  return ordered.map((run, nr) => {
    const reasons: string[] = [];
    const oldest = nr === ordered.length - 1;
    for (const rule of rules) {
      if (rule.left <= 0) continue;
      const bucket = rule.period ? retentionBucket(rule.period, run.takenAt) : nr;
      // Like restic, the oldest backup is kept too while a rule has counts left: the longest history.
      if (bucket === rule.last && !oldest) continue;
      reasons.push(bucket === rule.last ? `oldest ${rule.reason}` : rule.reason);
      rule.last = bucket;
      rule.left--;
    }
    return reasons;
  });
}

/** Newest first; on a tie in time, the later written, then the later name (`…Z-2/` after `…Z/`). */
function newestFirst(a: PrunableRun, b: PrunableRun): number {
  const [x, y] = [a.path.replace(/\/$/, ''), b.path.replace(/\/$/, '')];
  return b.takenAt.getTime() - a.takenAt.getTime() || b.lastWriteAt.getTime() - a.lastWriteAt.getTime() || (y < x ? -1 : y > x ? 1 : 0);
}

function incompleteDecision<R extends PrunableRun>(run: R, now: Date, afterMs: number): PruneDecision<R> {
  const age = `last written ${formatAge(now.getTime() - run.lastWriteAt.getTime())} ago`;
  // A manifest this version cannot read may be a newer version's: a person decides, not the pruner.
  if (run.problem) return { run, action: 'keep', reasons: [`unreadable manifest, kept for a person to look at (${run.problem})`] };
  if (now.getTime() - run.lastWriteAt.getTime() > afterMs) return { run, action: 'delete', reasons: [`incomplete (no manifest), ${age}`] };
  return { run, action: 'keep', reasons: [`incomplete, ${age}: may be a backup still running`] };
}

/**
 * Decide which backup runs a retention policy keeps and which it deletes, with the reasons, as
 * restic's `forget --keep-*` does: per database, complete runs newest first; each rule keeps the
 * newest run of each of its next N buckets (days, ISO weeks, months, years in UTC; `keepLast`: runs),
 * and the oldest run while the rule still has counts left. The newest complete backup is never
 * deleted. Incomplete runs are deleted once their last write is older than a day (a younger one may
 * be a backup still running); a run whose manifest exists but cannot be read is kept. Pure: no store.
 *
 * @example
 * const plan = planPrune({ runs: await listBackupRuns(store), keepDaily: 7, keepWeekly: 5, keepMonthly: 12, now: new Date() });
 * for (const d of plan) console.log(d.action, d.run.path, d.reasons.join(', '));
 */
export function planPrune<R extends PrunableRun>(options: PlanPruneOptions<R>): PruneDecision<R>[] {
  checkPolicy(options);
  const decisions = new Map<R, PruneDecision<R>>();
  const databases = new Set(options.runs.filter((r) => r.complete).map((r) => r.database));
  for (const database of databases) {
    const ordered = options.runs.filter((r) => r.complete && r.database === database)
      .sort(newestFirst);
    keepReasons(ordered, options).forEach((reasons, i) => {
      const run = ordered[i];
      decisions.set(run, reasons.length ? { run, action: 'keep', reasons } : { run, action: 'delete', reasons: ['no keep rule selects it'] });
    });
  }
  return options.runs.map((run) => decisions.get(run) ?? incompleteDecision(run, options.now, options.incompleteAfterMs ?? 86_400_000));
}
