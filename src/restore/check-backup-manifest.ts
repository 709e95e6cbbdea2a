import type { ClientBase } from 'pg';
import { RestoreRun, SchemaPlan } from './restore-run';
import type { ManifestRelation, ManifestSchema } from '../backups/backup-manifest';
import { mappedOnly } from '../copy/schema-mapping';
import { ValidationError } from '../errors';
import { RelationChecksum, checksumRelation } from '../validate/checksum-relation';
import type { ValidationResult } from '../validate/validate-restore';

/** The source side as the restore read it: a relation's rows and checksum, undefined when it is not there. */
type SourceSide = (schema: string, relation: ManifestRelation) => Promise<RelationChecksum | undefined>;

/** The source side from the validation's results (no query). */
function fromValidation(validation: ValidationResult): SourceSide {
  const byName = new Map(validation.tables.map((t) => [`${t.schema}\0${t.name}`, t]));
  return async (schema, relation) => {
    const found = byName.get(`${schema}\0${relation.name}`);
    if (!found || found.sourceRows === undefined) return undefined;
    return { rows: found.sourceRows, checksum: found.sourceChecksum ?? '' };
  };
}

/** The source side checksummed now in the restore's snapshot, over the manifest's columns (validation was off). */
function fromSnapshot(client: ClientBase): SourceSide {
  return async (schema, relation) => checksumRelation(client, schema, relation.name, relation.columns);
}

async function schemaDifferences(schema: ManifestSchema, read: SourceSide, run: RestoreRun): Promise<string[]> {
  const differences: string[] = [];
  for (const relation of schema.relations) {
    // An unpopulated materialized view has nothing to compare.
    if (relation.rows === undefined) continue;
    const restored = await read(schema.name, relation);
    const name = `${schema.name}.${relation.name}`;
    const line = !restored ? `${name}: in the backup's manifest but not restored`
      : restored.rows !== relation.rows ? `${name}: ${relation.rows} rows in the backup's manifest, ${restored.rows} restored`
        : restored.checksum !== relation.checksum ? `${name}: same ${relation.rows} rows as the backup's manifest but different content` : undefined;
    if (line === undefined) continue;
    // A materialized view stale at backup time is refreshed by the load: not the backup's rows, but not damage either.
    if (relation.kind === 'materialized view') run.warnings.push(`materialized view ${name} differs from the backup's manifest (stale when backed up); it was refreshed from the restored data`);
    else differences.push(line);
  }
  return differences;
}

/**
 * Step "check against the backup" (backup sources only): the proof end to end that what was backed
 * up is what came back. Each restored schema's tables — as the restore read them from the
 * temporary database — must have the row counts and content checksums the backup's manifest
 * recorded at backup time (the validation's source side, or, with validation off, a checksum in
 * the restore's snapshot over the manifest's columns). A difference stops the restore before
 * publish with `VALIDATION_FAILED`, listing the tables.
 *
 * @example
 * const validation = await validateData(run, plans, copied);
 * await checkBackupManifest(run, plans, validation);
 */
export async function checkBackupManifest(run: RestoreRun, plans: readonly SchemaPlan[], validation: ValidationResult | undefined): Promise<void> {
  const backup = run.past?.backup;
  if (!backup) return;
  const read = validation ? fromValidation(validation) : fromSnapshot(run.snapshot.client);
  // A table-level restore is checked on the relations it restored.
  const schemas = backup.manifest.schemas.flatMap((s) => plans.filter((p) => p.source === s.name)
    .map((p) => ({ ...s, relations: mappedOnly({ relations: p.only?.relations }, s.relations) })));
  const differences = await run.step('validate', `checking the restored rows against the manifest of the backup ${backup.location}`, async () => {
    const found: string[] = [];
    for (const schema of schemas) found.push(...await schemaDifferences(schema, read, run));
    return found;
  }, (found) => (found.length ? `${found.length} differences from the backup's manifest`
    : `${schemas.reduce((n, s) => n + s.relations.length, 0)} tables and materialized views match the backup's manifest`));
  if (differences.length > 0) {
    const more = differences.length > 3 ? ` (+${differences.length - 3} more)` : '';
    throw new ValidationError(`restored data differs from the backup's manifest (${backup.location}): ${differences.slice(0, 3).join('; ')}${more}; nothing was published`, differences);
  }
}
