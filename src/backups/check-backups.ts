import { BackupRun, listBackupRuns } from './backup-catalog';
import { BackupLocationOptions, withBackupStore } from './backup-location';
import { formatAge } from './format-age';
import { BackupSummary, summarizeRun } from './list-backups';
import { formatBytes, formatInstant } from '../format-units';

/** The size rule: the newest complete backup is suspicious below this share of the usual size… */
export const SHRUNK_BELOW = 0.5;
/** …the usual size being the median of up to this many complete backups before it. */
export const USUAL_SIZE_RUNS = 7;

/** What to hold the newest backups to. */
export interface BackupHealthRules {
  /** The newest complete backup must be at most this old. */
  readonly maxAgeMs: number;
  /** …and at least this large (bytes of every object of the run). @default - no minimum */
  readonly minBytes?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** Options of {@link checkBackups}. */
export interface CheckBackupsOptions extends BackupLocationOptions, BackupHealthRules {
  /** Only this database. @default - every database under `from`, each checked on its own */
  readonly database?: string;
}

/** One database's newest complete backup and what is wrong with it. */
export interface DatabaseBackupHealth {
  readonly database: string;
  readonly newest: BackupSummary;
  readonly problems: readonly string[];
}

/** What {@link checkBackups} found. */
export interface CheckBackupsResult {
  /** No problem anywhere. */
  readonly ok: boolean;
  /** The newest complete backup at the location (of any database); undefined when there is none. */
  readonly newest?: BackupSummary;
  /** One sentence per problem, naming the database when the location holds several. */
  readonly problems: readonly string[];
  /** Per database. */
  readonly databases: readonly DatabaseBackupHealth[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A run's size against the usual size before it (see {@link usualSize}). */
export interface UsualSize {
  /** The usual size: the median bytes of the runs before. */
  readonly bytes: number;
  /** How many runs before it the median is of (1 to {@link USUAL_SIZE_RUNS}). */
  readonly runs: number;
  /** The run's bytes / the usual size. */
  readonly ratio: number;
}

/**
 * The usual size of one database's complete runs (oldest first) before the one at `index` — the
 * median bytes of up to {@link USUAL_SIZE_RUNS} runs before it — and that run's share of it;
 * undefined when no run (of a size above 0) comes before. Pure.
 *
 * @example
 * usualSize(completeRuns, completeRuns.length - 1)?.ratio; // 0.42: the newest run is 42% of the usual size
 */
export function usualSize(complete: readonly BackupRun[], index: number): UsualSize | undefined {
  const before = complete.slice(Math.max(0, index - USUAL_SIZE_RUNS), index).map((r) => r.bytes);
  const bytes = before.length ? median(before) : 0;
  return bytes > 0 ? { bytes, runs: before.length, ratio: complete[index].bytes / bytes } : undefined;
}

/** The problems of one database's complete runs, oldest first (at least one). */
function databaseProblems(complete: readonly BackupRun[], rules: BackupHealthRules, now: Date, label: string): string[] {
  const newest = complete[complete.length - 1];
  const problems: string[] = [];
  const age = now.getTime() - newest.takenAt.getTime();
  if (age > rules.maxAgeMs) {
    problems.push(`the newest backup${label} is ${formatAge(age)} old (taken ${formatInstant(newest.takenAt)}), more than the ${formatAge(rules.maxAgeMs)} allowed`);
  }
  if (rules.minBytes !== undefined && newest.bytes < rules.minBytes) {
    problems.push(`the newest backup${label} is ${formatBytes(newest.bytes)}, smaller than the minimum of ${formatBytes(rules.minBytes)}`);
  }
  const usual = usualSize(complete, complete.length - 1);
  if (usual && newest.bytes < SHRUNK_BELOW * usual.bytes) {
    problems.push(`the newest backup${label} is ${Math.round(100 * usual.ratio)}% of the usual size ` +
      `(${formatBytes(newest.bytes)} vs ${formatBytes(usual.bytes)}, the median of the ${usual.runs} before it)`);
  }
  return problems;
}

/**
 * Judge backup runs (from `listBackupRuns`) by the rules of {@link checkBackups}. Pure.
 *
 * @example
 * assessBackups(runs, { maxAgeMs: 25 * 3_600_000, now: new Date() }, '/backups/').ok;
 */
export function assessBackups(runs: readonly BackupRun[], rules: BackupHealthRules, where: string): CheckBackupsResult {
  const now = rules.now ?? new Date();
  const complete = runs.filter((r) => r.complete);
  if (complete.length === 0) {
    const incomplete = runs.length ? ` (only ${runs.length} incomplete run${runs.length === 1 ? '' : 's'})` : '';
    return { ok: false, problems: [`no complete backup under ${where}${incomplete}`], databases: [] };
  }
  const names = [...new Set(complete.map((r) => r.database!))].sort();
  const databases = names.map((database) => {
    const own = complete.filter((r) => r.database === database);
    const label = names.length > 1 ? ` of ${database}` : '';
    return { database, newest: summarizeRun(own[own.length - 1]), problems: databaseProblems(own, rules, now, label) };
  });
  const problems = databases.flatMap((d) => d.problems);
  return { ok: problems.length === 0, newest: summarizeRun(complete[complete.length - 1]), problems, databases };
}

/**
 * The daily health check of backups: one listing, then problems when there is no complete backup,
 * or when a database's newest complete backup is older than `maxAgeMs`, smaller than `minBytes`, or
 * shrank: below {@link SHRUNK_BELOW} (50%) of the median size of the up to {@link USUAL_SIZE_RUNS}
 * (7) complete backups before it — the message says by how much. Each database is judged on its own.
 *
 * @example
 * const health = await checkBackups({ from: 's3://backups/nightly/', maxAgeMs: 25 * 3_600_000, minBytes: 1_000_000 });
 * if (!health.ok) for (const p of health.problems) console.error(p);
 */
export async function checkBackups(options: CheckBackupsOptions): Promise<CheckBackupsResult> {
  return withBackupStore(options, async (store) => {
    const runs = await listBackupRuns(store, { database: options.database });
    return assessBackups(runs, options, store.display);
  });
}
