import { connect, DatabaseConnection, describeConnection } from './connection';
import { planDmsResources } from './copy/dms/plan-dms';
import { listTables } from './copy/list-tables';
import { mappedOnly } from './copy/schema-mapping';
import { chosenTables, impliedSchemas } from './ddl/chosen-tables';
import { checkTargetExtensions, extensionObjects } from './ddl/extension-objects';
import { ChosenTable, tableClosure } from './ddl/table-closure';
import { SchemaExistsError, SchemaNotFoundError } from './errors';
import { checkRestoreOptions, existingSchemas, restoredNames, timestampSuffix } from './restore-names';
import { RestoreSchemaOptions } from './restore-options';
import { PlannedResource, planSourceOf, SourcePlan } from './sources/plan-source';
import { isRestoreSource } from './sources/restore-source';

/** A table a restore would copy, with what the source says of its size. */
export interface PlannedTable {
  readonly name: string;
  /** Planner estimate or rows counted in an archive; undefined when unknown. */
  readonly estimatedRows?: number;
  readonly estimatedBytes: number;
}

export interface PlannedSchema {
  readonly source: string;
  readonly restored: string;
  /** Undefined when the tables are known only once the source is up (physical backups). */
  readonly tables?: PlannedTable[];
}

/** What a restore would do, worked out without creating anything (`--dry-run`). */
export interface RestorePlan {
  /** The source in one line, without secrets. */
  readonly source: string;
  /** ISO 8601; undefined for a live database (the snapshot taken when the restore starts). */
  readonly restorePoint?: string;
  /** The target, password masked. */
  readonly target: string;
  readonly schemas: PlannedSchema[];
  /** Why tables are not listed, when they are not. */
  readonly tablesUnknownReason?: string;
  readonly steps: string[];
  readonly warnings: string[];
  /** Cloud resources the restore would create while it runs, with estimated hourly cost; empty for local sources. */
  readonly resources: PlannedResource[];
}

/** A source plan that may list, for a table-level restore, the objects the chosen tables need. */
type SourcePlanWithNeeds = SourcePlan & { needed?: string[] };

async function liveSourcePlan(source: DatabaseConnection, schemas: readonly string[], chosen?: ChosenTable[]): Promise<SourcePlanWithNeeds> {
  const client = await connect(source, 'source');
  try {
    const present = await existingSchemas(client, [...schemas]);
    const absent = schemas.find((s) => !present.has(s));
    if (absent !== undefined) throw new SchemaNotFoundError(absent, 'the source');
    const closure = chosen && await tableClosure(client, { chosen, schemas });
    const tables = new Map<string, PlannedTable[]>();
    for (const schema of schemas) {
      const listed = mappedOnly({ relations: closure?.relations.get(schema) }, await listTables(client, schema));
      tables.set(schema, listed.map((t) => ({ name: t.name, estimatedRows: t.estimatedRows, estimatedBytes: t.estimatedBytes })));
    }
    return { description: `database ${describeConnection(source)}`, tables, steps: [], warnings: [], extensions: await extensionObjects(client, schemas), needed: closure?.needed };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** With `tables`, the step that says which objects a table-level restore keeps (known in full for a live source). */
function tableChoiceStep(chosen: readonly ChosenTable[], needed: string[] | undefined): string {
  const names = chosen.map((c) => `${c.schema}.${c.table}`).join(', ');
  const what = needed ? (needed.length ? `, with ${needed.join(', ')}` : '') : ', with the types, sequences and functions they need (worked out once the source is up)';
  return `keep only ${names}${what}, and their indexes, constraints, triggers, policies, comments and grants; foreign keys to tables not restored are left out`;
}

/** The planned tables of an archive's schema with `tables`: the chosen ones (a live source's list is already its closure). */
function chosenOnly(schema: string, tables: PlannedTable[] | undefined, chosen: readonly ChosenTable[] | undefined): PlannedTable[] | undefined {
  return tables && chosen ? tables.filter((t) => chosen.some((c) => c.schema === schema && c.table === t.name)) : tables;
}

/**
 * Work out what {@link restoreSchema} would do — source, restore point, restored names, tables with
 * estimated rows and bytes, steps — reading the source and target but creating nothing: no
 * temporary server, no schema. The same bad input fails here as in the restore itself.
 *
 * @example
 * const plan = await planRestore({ source: { kind: 'dump', path: 's3://backups/tenant_a/' }, target: liveUrl, schemas: ['customer_a1'] });
 * console.log(plan.schemas[0].restored, plan.restorePoint);
 */
export async function planRestore(requested: RestoreSchemaOptions): Promise<RestorePlan> {
  const options = { ...requested, schemas: impliedSchemas(requested) };
  checkRestoreOptions(options);
  const chosen = chosenTables(options);
  const source = options.source;
  const isLive = !isRestoreSource(source) || source.kind === 'connection';
  const sourcePlan: SourcePlanWithNeeds = !isRestoreSource(source) ? await liveSourcePlan(source, options.schemas, chosen)
    : source.kind === 'connection' ? await liveSourcePlan(source.url, options.schemas, chosen)
      : await planSourceOf(source, options);
  const at = sourcePlan.restorePoint ?? new Date();
  const restored = restoredNames(options.schemas, options.suffix ?? timestampSuffix(at));
  const target = await connect(options.target, 'target');
  const warnings = [...sourcePlan.warnings];
  try {
    const taken = [...await existingSchemas(target, restored)];
    if (taken.length > 0) throw new SchemaExistsError(taken[0]);
    const restoredName = (schema: string) => restored[options.schemas.indexOf(schema)];
    if (sourcePlan.extensions) warnings.push(...await checkTargetExtensions(target, sourcePlan.extensions, restoredName));
  } finally {
    await target.end().catch(() => undefined);
  }
  const jobs = options.jobs ?? 4;
  const steps = [
    ...sourcePlan.steps,
    `read the definitions of ${options.schemas.join(', ')} with pg_dump, parse them and rename every reference (one snapshot for definitions and data)`,
    ...chosen ? [tableChoiceStep(chosen, sourcePlan.needed)] : [],
    'create types, tables, functions and views in the target under a staging name (pgsr_<id>_<n>)',
    options.engine === 'dms'
      ? `load the rows with AWS DMS full-load tasks, one per schema (${jobs} table${jobs === 1 ? '' : 's'} at a time each)`
      : `copy the rows with streaming COPY, ${jobs} table${jobs === 1 ? '' : 's'} at a time`,
    options.noLargeObjects
      ? 'leave large objects out: oid/lo columns keep the source\'s OIDs (a warning names them)'
      : 'copy the large objects that oid/lo columns refer to, once each, and point the rows at the copies',
    'build indexes, constraints and triggers; set sequence positions; refresh materialized views',
    ...(options.validate === false ? [] : ['compare row counts and checksums of every table with the source']),
    `publish as ${restored.join(', ')} in one transaction, with owners and grants`,
    ...(isLive ? [] : ['remove the temporary server']),
  ];
  return {
    source: sourcePlan.description,
    restorePoint: sourcePlan.restorePoint?.toISOString(),
    target: describeConnection(options.target),
    schemas: options.schemas.map((s, i) => ({
      source: s, restored: restored[i], tables: sourcePlan.needed ? sourcePlan.tables?.get(s) : chosenOnly(s, sourcePlan.tables?.get(s), chosen),
    })),
    tablesUnknownReason: sourcePlan.tables ? undefined : sourcePlan.tablesUnknownReason,
    steps,
    warnings,
    resources: [
      ...sourcePlan.resources ?? [],
      ...options.engine === 'dms' && options.dms
        ? await planDmsResources({ dms: options.dms, schemas: options.schemas, pricing: options.clients?.pricing, signal: options.signal }) : [],
    ],
  };
}
