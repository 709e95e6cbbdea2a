import type { ExtensionObjects } from '../ddl/extension-objects';
import type { PlannedTable } from '../plan-restore';
import type { RestoreSchemaOptions } from '../restore-options';
import { asBackupSource } from './backup/detect-backup-source';
import { planBackupSource } from './backup/plan-backup-source';
import { inspectDumpArchive } from './dump/inspect-dump-archive';
import { inspectBaseBackup } from './pitr/base-backup';
import { planRdsSource } from './rds/plan-rds';
import { DumpSource, PitrSource, RestoreSource } from './restore-source';
import { InvalidInputError } from '../errors';

/** A cloud resource a restore would create, and what it would cost while it exists. */
export interface PlannedResource {
  /** `rds-instance`, `rds-cluster`, `secret`, … (the ledger's kinds). */
  readonly kind: string;
  readonly name: string;
  /** `db.r6g.large, private, tagged` */
  readonly detail: string;
  /** On-demand USD per hour (compute only); undefined when unknown or free. */
  readonly usdPerHour?: number;
  /** How the price was found, or why it is unknown. */
  readonly costBasis?: string;
}

/** What a dry run learns of a backup source without bringing it up. */
export interface SourcePlan {
  readonly description: string;
  readonly restorePoint?: Date;
  /** Tables per schema; undefined when they are known only after the source is up. */
  readonly tables?: ReadonlyMap<string, PlannedTable[]>;
  readonly tablesUnknownReason?: string;
  /** Steps that bring the source up, before the restore proper. */
  readonly steps: string[];
  readonly warnings: string[];
  /** Extension objects in the schemas, when the source can be read now (a live database). */
  readonly extensions?: ExtensionObjects;
  /** Cloud resources the source would create (none for local sources). */
  readonly resources?: PlannedResource[];
}

async function dumpPlan(source: DumpSource, options: RestoreSchemaOptions): Promise<SourcePlan> {
  const aws = { clients: options.clients, s3Endpoint: options.s3Endpoint, signal: options.signal };
  // One pass over the archive, its data of these schemas included (nothing is restored): exact rows
  // and bytes, and proof the archive reads to its end.
  const info = await inspectDumpArchive(source, { ...aws, schemas: options.schemas, countRows: true });
  const counted = info.rows ?? [];
  const tables = new Map(options.schemas.map((schema) => [schema, counted
    .filter((t) => t.schema === schema)
    .map((t) => ({ name: t.table, estimatedRows: t.rows, estimatedBytes: t.bytes }))
    .sort((a, b) => a.name.localeCompare(b.name))]));
  const only = info.format === 'plain' ? 'the whole SQL file (plain dumps cannot be filtered)' : `${options.schemas.join(', ')} and what ${options.schemas.length === 1 ? 'it depends' : 'they depend'} on`;
  return {
    description: info.description,
    restorePoint: info.createdAt,
    tables,
    steps: [`restore ${only} from the archive into a throwaway local PostgreSQL server`],
    warnings: info.warnings,
  };
}

async function pitrPlan(source: PitrSource, options: RestoreSchemaOptions): Promise<SourcePlan> {
  const info = await inspectBaseBackup(source, { signal: options.signal });
  const taken = info.startTime ? ` taken ${info.startTime.toISOString()}` : '';
  return {
    description: `base backup ${source.baseBackup} (${info.format} format, PostgreSQL ${info.major}${taken}) + WAL archive ${source.walArchive} (${info.walSegmentsInArchive} segments)`,
    restorePoint: source.targetTime,
    tablesUnknownReason: 'listed once the base backup has been recovered (a dry run recovers nothing)',
    steps: [`recover the base backup up to ${source.targetTime.toISOString()} from the WAL archive on a throwaway local PostgreSQL server, then promote it`],
    warnings: [],
  };
}

/**
 * Read what a dry run can know of a backup source — description, restore point, tables with rows and
 * bytes where the archive tells them — and fail with the same errors the restore would, creating
 * nothing.
 *
 * @example
 * const plan = await planSourceOf({ kind: 'dump', path: '/backups/tenant_a.dump' }, { ...options });
 */
export async function planSourceOf(source: Exclude<RestoreSource, { kind: 'connection' }>, options: RestoreSchemaOptions): Promise<SourcePlan> {
  switch (source.kind) {
    case 'dump': {
      const backup = await asBackupSource(source, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal: options.signal });
      return backup ? planBackupSource(backup, options) : dumpPlan(source, options);
    }
    case 'backup':
      return planBackupSource(source, options);
    case 'pitr':
      return pitrPlan(source, options);
    case 'rds':
      return planRdsSource(source, options);
    default:
      throw new InvalidInputError(`--dry-run does not plan ${(source as { kind: string }).kind} sources yet; run without --dry-run`);
  }
}
