/** How one tenant's restore test went. */
export interface DrillTenant {
  /** The schema restored from the backup. */
  readonly schema: string;
  /** The name it was restored under in the scratch database (dropped afterwards); undefined when the restore failed. */
  readonly restoredAs?: string;
  /** `pass`: restored, validated and dropped; `fail`: any problem. */
  readonly verdict: 'pass' | 'fail';
  /** The restore's wall-clock time, from the start of reading the backup to the published schema (the RTO). */
  readonly durationMs: number;
  /** Rows restored (tables and materialized views). */
  readonly rows: number;
  /** Bytes of COPY data moved. */
  readonly bytes: number;
  /** Size of the tenant's archive in the backup. */
  readonly archiveBytes: number;
  /** What went wrong; empty when the verdict is `pass`. */
  readonly problems: string[];
  /** What the restore reported that is worth knowing, without failing it. */
  readonly warnings: string[];
}

/** The written result of a restore drill: what `runDrill` returns, `drill --json` prints and `drill --report` renders. */
export interface DrillReport {
  /** When the drill started (ISO 8601, UTC). */
  readonly date: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** The backup run used. */
  readonly backup: {
    /** Where it is: `s3://backups/nightly/app/2026-11-27T190212Z/` (no secrets). */
    readonly location: string;
    readonly database: string;
    /** The snapshot's time: what a restore from it brings back. */
    readonly snapshotAt: string;
    /** How old the snapshot was when the drill started: the data an incident now would lose (the RPO). */
    readonly ageMs: number;
    /** The age allowed (`--max-age`); undefined when none was set. */
    readonly maxAgeMs?: number;
    /** Older than allowed. */
    readonly stale: boolean;
  };
  /** The scratch database, without password. */
  readonly target: string;
  /** How the tenants were chosen. */
  readonly selection: 'all' | 'named' | 'sample';
  readonly tenants: DrillTenant[];
  /** Schemas earlier drills left in the scratch database (killed before they dropped them), dropped by this one. */
  readonly leftoversDropped?: string[];
  /** `pass` only when every tenant passed and the backup is not stale. */
  readonly verdict: 'pass' | 'fail';
  /** Why the drill failed, one sentence each (tenants' own problems are under the tenant). */
  readonly problems: string[];
}

/**
 * The drill's verdict and its drill-wide problems, from its tenants and the backup's age. Pure.
 *
 * @example
 * drillVerdict(tenants, { ageMs: 26 * 3_600_000, maxAgeMs: 25 * 3_600_000 });
 * // { verdict: 'fail', problems: ['the backup is 26 h old, more than the 25 h allowed'] }
 */
export function drillVerdict(tenants: readonly DrillTenant[], age: { readonly ageMs: number; readonly maxAgeMs?: number }): Pick<DrillReport, 'verdict' | 'problems'> {
  const problems: string[] = [];
  if (age.maxAgeMs !== undefined && age.ageMs > age.maxAgeMs) {
    problems.push(`the backup is ${hours(age.ageMs)} old, more than the ${hours(age.maxAgeMs)} allowed`);
  }
  const failed = tenants.filter((t) => t.verdict === 'fail');
  if (failed.length > 0) problems.push(`${failed.length} of ${tenants.length} tenant(s) failed: ${failed.map((t) => t.schema).join(', ')}`);
  if (tenants.length === 0) problems.push('no tenant was restored');
  return { verdict: problems.length === 0 ? 'pass' : 'fail', problems };
}

/** `26 h`, `25.5 h`, `45 min`: ages are compared in hours. */
function hours(ms: number): string {
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
