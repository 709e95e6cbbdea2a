import type { CopiedSequence } from '../copy/sequence-positions';
import type { RestoreReport, SchemaReport, TableReport } from '../report';
import type { CopiedData } from './copy-data';
import { RestoreRun, SchemaPlan } from './restore-run';
import type { ValidationResult } from '../validate/validate-restore';

/** What the steps found, for the report. */
export interface RestoreOutcome {
  readonly restorePoint: Date;
  readonly started: number;
  readonly copied: CopiedData;
  readonly sequences: CopiedSequence[];
  readonly validation?: ValidationResult;
}

function tablesOf(plan: SchemaPlan, outcome: RestoreOutcome): TableReport[] {
  const { copied, validation } = outcome;
  const validated = validation?.tables.filter((x) => x.schema === plan.source) ?? [];
  const rows: TableReport[] = copied.tables.filter((t) => t.schema === plan.source).map((t) => {
    const v = validated.find((x) => x.name === t.table);
    return { name: t.table, kind: 'table', rows: t.rows, bytes: t.bytes, sourceRows: v?.sourceRows, checksumMatch: v ? v.rowsMatch && v.checksumMatch : undefined, durationMs: t.durationMs };
  });
  for (const v of validated.filter((x) => x.kind === 'materialized view')) {
    rows.push({ name: v.name, kind: 'materialized view', rows: v.restoredRows ?? 0, bytes: 0, sourceRows: v.sourceRows, checksumMatch: v.rowsMatch && v.checksumMatch, durationMs: 0 });
  }
  return rows;
}

/**
 * The report of a published restore: per schema its restored name, tables (rows, bytes, checksum
 * verdict) and sequence positions; large objects copied; warnings; duration.
 */
export function restoreReport(run: RestoreRun, plans: readonly SchemaPlan[], outcome: RestoreOutcome): RestoreReport {
  const schemas: SchemaReport[] = plans.map((p) => ({
    source: p.source,
    restored: p.restored,
    tables: tablesOf(p, outcome),
    sequences: outcome.sequences.filter((s) => s.schema === p.source).map((s) => ({ name: s.name, lastValue: s.lastValue, isCalled: s.isCalled })),
  }));
  const largeObjects = outcome.copied.largeObjects.copied;
  const backup = run.past?.backup;
  return {
    restoreId: run.restoreId,
    restorePoint: outcome.restorePoint.toISOString(),
    schemas,
    ...(largeObjects ? { largeObjects } : {}),
    warnings: run.warnings,
    durationMs: Date.now() - outcome.started,
    ...(backup ? { backup: { location: backup.location, snapshotAt: backup.snapshotAt.toISOString() } } : {}),
  };
}
