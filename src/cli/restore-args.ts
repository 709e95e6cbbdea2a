import { InvalidInputError } from '../errors';
import { parseByteSize } from './byte-size-arg';
import { parseDmsArgs, RawDmsArgs } from './dms-args';
import { parseLockTimeoutArg } from './lock-timeout-arg';
import { checkPostgresUrl } from './postgres-url-arg';
import { RestoreSchemaOptions } from '../restore-options';
import { parseAtArg, parseSourceArg } from './source-arg';
import { chosenTables, impliedSchemas } from '../ddl/chosen-tables';
import { RestoreSource } from '../sources/restore-source';

/** Options of `pg-schema-restore restore` as commander hands them over, not yet checked. */
export interface RawRestoreArgs extends RawDmsArgs {
  readonly source?: string;
  readonly at?: string;
  readonly sourceDatabase?: string;
  readonly s3Endpoint?: string;
  readonly snapshot?: string;
  readonly latest?: boolean;
  readonly secret?: string;
  readonly subnetGroup?: string;
  readonly securityGroup?: string[];
  readonly instanceClass?: string;
  readonly resetMasterPassword?: boolean;
  readonly ledger?: string;
  readonly target?: string;
  readonly schema?: string[];
  readonly table?: string[];
  readonly suffix?: string;
  readonly jobs?: string;
  readonly splitTablesLargerThan?: string;
  readonly lockTimeout?: string;
  readonly detachOutside?: boolean;
  readonly json?: boolean;
  /** `--no-owner` sets it to false. */
  readonly owner?: boolean;
  /** `--no-privileges` sets it to false. */
  readonly privileges?: boolean;
  /** `--no-validate` sets it to false. */
  readonly validate?: boolean;
  /** `--no-large-objects` sets it to false. */
  readonly largeObjects?: boolean;
  readonly dryRun?: boolean;
}

/** A checked `restore` command: what to pass to `restoreSchema`, and how to print the outcome. */
export interface RestoreCommandOptions {
  readonly restore: Omit<RestoreSchemaOptions, 'onProgress' | 'signal'> & { readonly source: string | RestoreSource; readonly target: string };
  readonly json: boolean;
  /** Print the plan and create nothing. */
  readonly dryRun: boolean;
  /** Ledger file for the cloud resources of an rds: source. @default $PGSR_LEDGER or ~/.pg-schema-restore/ledger.json */
  readonly ledgerPath?: string;
}

const EXAMPLE_TARGET = 'postgres://user@host:5432/tenant_a';

export function checkTargetUrl(value: string | undefined): string {
  if (value === undefined) throw new InvalidInputError(`missing --target <postgres-url>: the live database to restore into, e.g. --target ${EXAMPLE_TARGET}`);
  return checkPostgresUrl(value, { option: '--target', example: EXAMPLE_TARGET });
}

function checkSchemas(schemas: readonly string[] | undefined): string[] {
  if (!schemas?.length) {
    throw new InvalidInputError('at least one --schema <name> is required: the schema to restore, e.g. --schema customer_a1 (repeat it for several)');
  }
  if (schemas.some((s) => s.length === 0)) throw new InvalidInputError('--schema must not be empty; pass the exact (case-sensitive) schema name');
  const repeated = schemas.find((s, i) => schemas.indexOf(s) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`--schema "${repeated}" is given twice; name each schema once`);
  return [...schemas];
}

/** `--jobs`: a positive integer, or undefined when not given (used by `restore` and `backup`). */
export function checkJobs(jobs: string | undefined): number | undefined {
  if (jobs === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(jobs) ? Number(jobs) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidInputError(`--jobs must be a positive integer (got "${jobs}"), e.g. --jobs 4`);
  return n;
}

/** `--s3-endpoint`: an http(s) URL (used by every command that reads or writes S3). */
export function checkEndpoint(value: string): string {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidInputError(`--s3-endpoint must be an http:// or https:// URL (got "${value}"), e.g. --s3-endpoint http://127.0.0.1:9000`);
  return value;
}

/**
 * Check the `restore` command's options before anything runs, turning each mistake into a one-line
 * {@link InvalidInputError} that says how to fix it. Never echoes a URL (it may carry a password).
 *
 * @example
 * parseRestoreArgs({ source: 'postgres://db/past', target: 'postgres://db/live', schema: ['customer_a1'], jobs: '8' });
 * // → { restore: { source, target, schemas: ['customer_a1'], jobs: 8, skipOwnership: false, ... }, json: false }
 */
export function parseRestoreArgs(raw: RawRestoreArgs): RestoreCommandOptions {
  const source = parseSourceArg(raw.source, {
    at: raw.at === undefined ? undefined : parseAtArg(raw.at),
    snapshot: raw.snapshot,
    latest: raw.latest,
    secret: raw.secret,
    subnetGroup: raw.subnetGroup,
    securityGroups: raw.securityGroup,
    instanceClass: raw.instanceClass,
    resetMasterPassword: raw.resetMasterPassword,
  });
  const target = checkTargetUrl(raw.target);
  // --table alone implies its schemas; a bad table name is one line here, before anything connects.
  const tables = raw.table;
  const schemas = tables?.length && !raw.schema?.length ? impliedSchemas({ schemas: [], tables }) : checkSchemas(raw.schema);
  if (tables) chosenTables({ schemas, tables });
  const jobs = checkJobs(raw.jobs);
  const splitTablesLargerThan = raw.splitTablesLargerThan === undefined ? undefined : parseByteSize(raw.splitTablesLargerThan, '--split-tables-larger-than');
  const lockTimeoutMs = raw.lockTimeout === undefined ? undefined : parseLockTimeoutArg(raw.lockTimeout, '--lock-timeout');
  if (raw.suffix !== undefined && raw.suffix.length === 0) {
    throw new InvalidInputError('--suffix must not be empty; leave it out to name restored schemas after the snapshot time (_YYYYMMDDHHMMSS)');
  }
  return {
    restore: {
      source,
      target,
      schemas,
      ...(tables ? { tables } : {}),
      ...(raw.suffix !== undefined ? { suffix: raw.suffix } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      ...(splitTablesLargerThan !== undefined ? { splitTablesLargerThan } : {}),
      ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
      ...(raw.detachOutside ? { detachOutside: true } : {}),
      skipOwnership: raw.owner === false,
      skipPrivileges: raw.privileges === false,
      validate: raw.validate !== false,
      ...(raw.largeObjects === false ? { noLargeObjects: true } : {}),
      ...(raw.sourceDatabase ? { sourceDatabase: raw.sourceDatabase } : {}),
      ...parseDmsArgs(raw),
      ...(raw.s3Endpoint ? { s3Endpoint: checkEndpoint(raw.s3Endpoint) } : {}),
    },
    json: raw.json === true,
    dryRun: raw.dryRun === true,
    ...(raw.ledger ? { ledgerPath: raw.ledger } : {}),
  };
}
