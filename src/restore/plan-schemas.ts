import { chosenTables } from '../ddl/chosen-tables';
import { InvalidInputError, SchemaExistsError, SchemaNotFoundError } from '../errors';
import { existingSchemas, restoredNames, timestampSuffix } from '../restore-names';
import { RestoreRun, SchemaPlan } from './restore-run';
import { tableClosure } from '../ddl/table-closure';

/** With `tables`: their closure in the snapshot, as each schema plan's `only` (an event lists what is kept). */
async function chosenClosure(run: RestoreRun, where: string): Promise<((schema: string) => Pick<SchemaPlan, 'only'>) | undefined> {
  const chosen = chosenTables(run.options);
  if (!chosen) return undefined;
  const closure = await tableClosure(run.snapshot.client, { chosen, schemas: run.options.schemas, where });
  const needs = closure.needed.length ? `, with ${closure.needed.join(', ')}` : '';
  run.emit({ type: 'log', level: 'info', message: `restoring only ${chosen.map((c) => `${c.schema}.${c.table}`).join(', ')}${needs}` });
  if (closure.textBodies.length > 0) {
    run.warnings.push(`function${closure.textBodies.length > 1 ? 's' : ''} ${closure.textBodies.join(', ')} ${closure.textBodies.length > 1 ? 'are' : 'is'} restored with the chosen tables, `
      + 'but a table or sequence only a function body uses (PL/pgSQL, or SQL not written BEGIN ATOMIC) is not: name those with --table too');
  }
  return (schema) => ({ only: { relations: closure.relations.get(schema) ?? new Set(), keep: closure.keep } });
}

/**
 * Step "names": one plan per schema — its source name, its staging name `pgsr_<id>_<n>` and its
 * restored name (source name + suffix, by default the restore point's UTC time) — checked before
 * anything is written: the schema exists at the source, no two restored names collide, and no name
 * is taken in the target. With `tables`, each plan also carries what of its schema is restored: the
 * chosen tables' dependency closure in the snapshot (see {@link tableClosure}).
 *
 * @example
 * const plans = await planSchemas(run, restorePoint); // [{ source: 'customer_a1', staging: 'pgsr_3f2a…_0', restored: 'customer_a1_20240128143000' }]
 */
export async function planSchemas(run: RestoreRun, restorePoint: Date): Promise<SchemaPlan[]> {
  const { options, past } = run;
  const schemas = options.schemas;
  const atSource = await existingSchemas(run.snapshot.client, schemas);
  const absent = schemas.find((s) => !atSource.has(s));
  if (absent !== undefined) throw new SchemaNotFoundError(absent, past?.restorePoint ? `the source as of ${restorePoint.toISOString()}` : 'the source');
  const restored = restoredNames(schemas, options.suffix ?? timestampSuffix(restorePoint));
  const dup = restored.find((s, i) => restored.indexOf(s) !== i);
  if (dup !== undefined) throw new InvalidInputError(`two schemas would both be restored as "${dup}"; choose another suffix`);
  const only = await chosenClosure(run, past?.restorePoint ? `the source as of ${restorePoint.toISOString()}` : 'the source');
  const plans = schemas.map((source, i) => ({ source, staging: `pgsr_${run.restoreId.slice(0, 12)}_${i}`, restored: restored[i], ...only?.(source) }));
  const record = run.made.largeObjects ? [run.made.largeObjects.schema] : [];
  const taken = [...await existingSchemas(run.target, [...restored, ...plans.map((p) => p.staging), ...record])];
  if (taken.length > 0) throw new SchemaExistsError(taken[0]);
  return plans;
}
