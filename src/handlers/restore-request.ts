import { schemaOfTable } from '../ddl/chosen-tables';
import { InvalidInputError } from '../errors';

/** A checked execution input of the SchemaRestore state machine. */
export interface RestoreRequest {
  /** Database (in the instance or cluster) holding the schemas. */
  readonly database: string;
  readonly schemas: string[];
  /**
   * Restore only these tables (`schema.table`, exact and case-sensitive, in one of `schemas`; each
   * schema names at least one) with what they need; the task runs `restore --table …`. @default - whole schemas
   */
  readonly tables?: string[];
  /** ISO 8601 time to restore to; exactly one of `restoreTime` and `snapshotId`. */
  readonly restoreTime?: string;
  /** DB snapshot (instance) or DB cluster snapshot (cluster) to restore from. */
  readonly snapshotId?: string;
  /** Appended to each restored schema's name. @default - `_YYYYMMDDHHMMSS` of the restore point */
  readonly suffix?: string;
  readonly engine: 'copy' | 'dms';
  /**
   * Where the schemas come from: a temporary RDS/Aurora restore (`rds`), or the TenantBackups
   * backups the construct was deployed with (`backup`; no temporary database). @default 'rds'
   */
  readonly source: 'backup' | 'rds';
}

/** What {@link parseRestoreRequest} needs to know of the deployment. */
export interface RestoreRequestContext {
  /** The engine when the input names none. */
  readonly defaultEngine: 'copy' | 'dms';
  /** Whether the DMS path was deployed (its replication subnet group and role exist). */
  readonly dmsAvailable: boolean;
  /** Whether the construct was deployed with `backups` (a TenantBackups), so that `"source": "backup"` can run. */
  readonly backupsAvailable: boolean;
}

const EXAMPLE = '{"database": "tenants", "schemas": ["customer_a1"], "restoreTime": "2024-01-28T14:30:00Z"}';
const BACKUP_EXAMPLE = '{"database": "tenants", "schemas": ["customer_a1"], "source": "backup", "restoreTime": "2024-01-28T14:30:00Z"}';
const TABLES_EXAMPLE = '{"database": "tenants", "schemas": ["customer_a1"], "tables": ["customer_a1.orders"], "restoreTime": "2024-01-28T14:30:00Z"}';
const KNOWN_FIELDS = ['database', 'schemas', 'restoreTime', 'snapshotId', 'tables', 'suffix', 'engine', 'source'];
/** A time zone is required so that no one restores the wrong hour. */
const ISO_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

const invalid = (message: string, example = EXAMPLE) => new InvalidInputError(`${message}; the input looks like ${example}`, { code: 'INVALID_REQUEST' });
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function checkSchemas(schemas: unknown): string[] {
  if (!Array.isArray(schemas) || schemas.length === 0) throw invalid('"schemas" must be a non-empty list of schema names');
  if (!schemas.every(isText)) throw invalid('every entry of "schemas" must be a non-empty string (the exact, case-sensitive schema name)');
  const repeated = schemas.find((s, i) => schemas.indexOf(s) !== i);
  if (repeated !== undefined) throw invalid(`"schemas" names "${repeated}" twice; name each schema once`);
  return [...schemas];
}

/** `tables`: absent or empty for whole schemas; else `schema.table` names, each in a requested schema, every schema with one. */
function checkTables(tables: unknown, schemas: readonly string[]): string[] | undefined {
  if (tables === undefined || (Array.isArray(tables) && tables.length === 0)) return undefined;
  const example = `e.g. "${schemas[0]}.orders"`;
  if (!Array.isArray(tables) || !tables.every(isText)) throw invalid(`"tables" must be a list of schema.table names (${example}); leave it out to restore whole schemas`, TABLES_EXAMPLE);
  const outside = tables.find((t) => schemaOfTable(t, schemas) === undefined);
  if (outside !== undefined) {
    throw invalid(`"tables" entry "${outside}" is not schema.table with one of the requested "schemas" (${schemas.join(', ')}); name it with its schema, ${example}, and list that schema in "schemas"`, TABLES_EXAMPLE);
  }
  const repeated = tables.find((t, i) => tables.indexOf(t) !== i);
  if (repeated !== undefined) throw invalid(`"tables" names "${repeated}" twice; name each table once`, TABLES_EXAMPLE);
  const bare = schemas.find((s) => !tables.some((t) => schemaOfTable(t, schemas) === s));
  if (bare !== undefined) throw invalid(`schema "${bare}" is requested but none of its tables is in "tables"; name its tables or leave it out of "schemas"`, TABLES_EXAMPLE);
  return [...tables];
}

function checkRestorePoint(input: Record<string, unknown>, source: RestoreRequest['source']): Pick<RestoreRequest, 'restoreTime' | 'snapshotId'> {
  const { restoreTime, snapshotId } = input;
  if (source === 'backup') {
    if (snapshotId !== undefined) throw invalid('"snapshotId" names an RDS snapshot, not a backup; with "source": "backup" give "restoreTime" (the newest backup at or before it) or leave it out for the newest backup', BACKUP_EXAMPLE);
    if (restoreTime === undefined) return {};
  } else if ((restoreTime === undefined) === (snapshotId === undefined)) {
    throw invalid('give exactly one of "restoreTime" and "snapshotId"');
  }
  if (snapshotId !== undefined) {
    if (!isText(snapshotId)) throw invalid('"snapshotId" must be the identifier of a DB snapshot or DB cluster snapshot');
    return { snapshotId };
  }
  if (!isText(restoreTime) || !ISO_TIME_WITH_ZONE.test(restoreTime) || Number.isNaN(new Date(restoreTime).getTime())) {
    throw invalid(`"restoreTime" must be an ISO 8601 time with a time zone (got ${JSON.stringify(restoreTime)}), e.g. 2024-01-28T14:30:00Z`);
  }
  return { restoreTime: new Date(restoreTime).toISOString() };
}

function checkSource(source: unknown, context: RestoreRequestContext): RestoreRequest['source'] {
  if (source === undefined) return 'rds';
  if (source !== 'backup' && source !== 'rds') throw invalid(`"source" must be "backup" or "rds" (got ${JSON.stringify(source)}); leave it out for a temporary RDS restore`);
  if (source === 'backup' && !context.backupsAvailable) {
    throw invalid('"source": "backup" needs a SchemaRestore deployed with backups (a TenantBackups); deploy it with the backups prop, or leave "source" out for a temporary RDS restore');
  }
  return source;
}

function checkEngine(engine: unknown, source: RestoreRequest['source'], context: RestoreRequestContext): 'copy' | 'dms' {
  // A backup is restored by the CLI from its archives: DMS has no source database to read.
  if (engine === undefined) return source === 'backup' ? 'copy' : context.defaultEngine;
  if (engine !== 'copy' && engine !== 'dms') throw invalid(`"engine" must be "copy" or "dms" (got ${JSON.stringify(engine)})`);
  if (engine === 'dms' && source === 'backup') throw invalid('"engine": "dms" cannot restore from a backup (DMS copies from a database); leave "engine" out with "source": "backup"', BACKUP_EXAMPLE);
  if (engine === 'dms' && !context.dmsAvailable) throw invalid('"engine": "dms" needs a SchemaRestore deployed with copyEngine DMS; leave "engine" out to use the copy engine');
  return engine;
}

/**
 * Check the execution input of the state machine before anything is created, in the reference
 * design's shape: `{ database, schemas, restoreTime }` or `{ database, schemas, snapshotId }`, plus
 * optional `tables` (`schema.table` names: a table-level restore), `suffix`, `engine` and `source`
 * (`"backup"`: from the TenantBackups backups, `restoreTime` optional, the newest backup when absent). Each mistake is an {@link InvalidInputError} that says how to fix it.
 *
 * @example
 * parseRestoreRequest({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00Z' },
 *   { defaultEngine: 'copy', dmsAvailable: false, backupsAvailable: false });
 */
export function parseRestoreRequest(input: unknown, context: RestoreRequestContext): RestoreRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('the execution input must be a JSON object');
  const fields = input as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !KNOWN_FIELDS.includes(key));
  if (unknown.length > 0) throw invalid(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
  if (!isText(fields.database)) throw invalid('"database" must name the database that holds the schemas');
  if (fields.suffix !== undefined && !isText(fields.suffix)) throw invalid('"suffix" must be a non-empty string; leave it out for _YYYYMMDDHHMMSS');
  const source = checkSource(fields.source, context);
  const schemas = checkSchemas(fields.schemas);
  const tables = checkTables(fields.tables, schemas);
  return {
    database: fields.database,
    schemas,
    ...(tables ? { tables } : {}),
    ...checkRestorePoint(fields, source),
    ...(fields.suffix !== undefined ? { suffix: fields.suffix as string } : {}),
    engine: checkEngine(fields.engine, source, context),
    source,
  };
}
