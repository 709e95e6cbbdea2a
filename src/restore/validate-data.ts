import { recordTable } from '../copy/large-object-record';
import { ValidationError } from '../errors';
import type { CopiedData } from './copy-data';
import { relationKey } from './post-data-plan';
import { RestoreRun, SchemaPlan, stagingMappings } from './restore-run';
import { RelationValidation, validateRestore, ValidationResult } from '../validate/validate-restore';

function describeMismatch(v: RelationValidation): string {
  if (v.sourceRows === undefined || v.restoredRows === undefined) return `${v.schema}.${v.name}: missing on one side`;
  if (!v.rowsMatch) return `${v.schema}.${v.name}: ${v.sourceRows} rows at the source, ${v.restoredRows} restored`;
  return `${v.schema}.${v.name}: same ${v.sourceRows} rows but different content`;
}

/**
 * Step "validate": compare every table and materialized view of the staging schemas with the
 * snapshot — row counts and content checksums (large-object columns by the content they refer to) —
 * and every sequence position, on `jobs` sessions per side. A table's source side is the checksum
 * the copy computed from the rows it sent, and its target side was read beside the builds, so
 * what is left here is the comparison, materialized views and tables with large-object columns. A table that differs stops the restore before publish
 * ({@link ValidationError}); a materialized view that was stale at the source, or a sequence that
 * moved there meanwhile, is a warning. Undefined when `validate` is off.
 *
 * @example
 * const validation = await validateData(run, plans, copied);
 */
export async function validateData(run: RestoreRun, plans: readonly SchemaPlan[], copied: CopiedData): Promise<ValidationResult | undefined> {
  const { options } = run;
  if (options.validate === false) return undefined;
  const record = run.made.largeObjects;
  const staging = new Map(plans.map((p) => [p.source, p.staging]));
  const validation = await run.step('validate', 'comparing row counts and content checksums with the source',
    () => validateRestore({
      source: options.source,
      target: options.target,
      schemas: stagingMappings(plans),
      snapshotId: run.snapshot.id,
      largeObjects: record && { columns: copied.largeObjects.columns, record: recordTable(record) },
      // The copy hashed the rows it sent, and the builds the rows that arrived: neither side is read again.
      copied: copied.tables.map((t) => ({ ...t, restored: copied.restored.get(relationKey(staging.get(t.schema) ?? '', t.table)) })),
      jobs: options.jobs ?? 4,
      signal: run.signal,
    }),
    (r) => `${r.tables.length} tables and materialized views compared, ${r.mismatches.length} differences`);
  const mismatches: string[] = [];
  for (const v of validation.tables) {
    if (v.rowsMatch && v.checksumMatch) continue;
    if (v.kind === 'table') mismatches.push(describeMismatch(v));
    else run.warnings.push(`materialized view ${v.schema}.${v.name} differs from the source's copy, which was stale there; it was refreshed from the restored data`);
  }
  for (const s of validation.sequences) {
    if (!s.match) run.warnings.push(`sequence ${s.schema}.${s.name} moved at the source during the restore; it was set to its position at copy time`);
  }
  if (mismatches.length > 0) {
    const more = mismatches.length > 3 ? ` (+${mismatches.length - 3} more)` : '';
    throw new ValidationError(`restored data differs from the source: ${mismatches.slice(0, 3).join('; ')}${more}; nothing was published`, mismatches);
  }
  return validation;
}
