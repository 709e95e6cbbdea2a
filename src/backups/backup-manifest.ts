import { archiveName } from './backup-layout';
import { SchemaRestoreError } from '../errors';

/** Name of the file that completes a backup run; written last. */
export const MANIFEST_FILE = 'manifest.json';
/** What `format` says in every manifest this library writes. */
export const MANIFEST_FORMAT = 'pg-schema-restore backup';
/** The manifest layout this library writes and reads. */
export const MANIFEST_VERSION = 1;

/** A table or materialized view as it was backed up: the same count and checksum `validateRestore` computes. */
export interface ManifestRelation {
  readonly name: string;
  readonly kind: 'table' | 'materialized view';
  /** Columns hashed, in this order (see `checksumRelation`). */
  readonly columns: readonly string[];
  /** Undefined for an unpopulated materialized view. */
  readonly rows?: number;
  /** Sum of the rows' 64-bit hashes, as text. Undefined for an unpopulated materialized view. */
  readonly checksum?: string;
}

/** A sequence's position at the snapshot. */
export interface ManifestSequence {
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** An extension whose objects a schema uses (a per-schema archive does not create it). */
export interface ManifestExtension {
  readonly name: string;
  /** The schema it is installed in. */
  readonly schema: string;
}

/** One schema's archive and what it holds. */
export interface ManifestSchema {
  readonly name: string;
  /** The archive's key relative to the run (a file name: `customer_a1.dump`). */
  readonly archive: string;
  /** pg_dump's format: custom (`-Fc`). */
  readonly format: 'custom';
  readonly bytes: number;
  /** Hex SHA-256 of the archive's bytes. */
  readonly sha256: string;
  readonly relations: readonly ManifestRelation[];
  readonly sequences: readonly ManifestSequence[];
  /** Other schemas its objects depend on (types, functions, foreign keys…): a restore loads their archives first. Absent in older manifests. */
  readonly dependsOn?: readonly string[];
  /** Extensions whose objects it uses: a restore creates them first. Absent in older manifests. */
  readonly extensions?: readonly ManifestExtension[];
}

/**
 * What one backup run wrote: written last, beside the archives, so a run without it is visibly
 * incomplete. Holds no secrets (no host, user or password): the database name, the server's version
 * and the snapshot's time (the restore point) identify it.
 */
export interface BackupManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly database: string;
  /** `server_version` of the source, e.g. `15.10`. */
  readonly serverVersion: string;
  /** The server's encoding: the checksums hash text in it. */
  readonly encoding: string;
  /** The exported snapshot's time (ISO 8601, UTC): every archive of the run shows the database at this instant. */
  readonly snapshotAt: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly schemas: readonly ManifestSchema[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));
const SAFE_FILE = /^[^/\\\0]+$/;
/** PostgreSQL's longest name, in bytes (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;

/**
 * Whether a name is one a backup records: 1 to 63 bytes, without control characters (newlines,
 * NUL). Quotes are fine: names are always quoted as identifiers, never pasted into SQL. A manifest
 * holding any other is not one this library wrote; `backupDatabase` skips (or refuses) schemas with
 * such names for the same reason: pg_restore's table of contents is read line by line.
 *
 * @example
 * isBackupName('customer_a1'); // true
 * isBackupName('customer_a1\nDROP'); // false
 */
export function isBackupName(name: unknown): name is string {
  // eslint-disable-next-line no-control-regex
  return isString(name) && name.length > 0 && Buffer.byteLength(name) <= MAX_NAME_BYTES && !/[\u0000-\u001f\u007f]/.test(name);
}

/** A name for a one-line message: as is when plain, else JSON-quoted and cut short. */
function shown(name: string): string {
  if (/^[\w$ ./-]{1,63}$/.test(name)) return name;
  const quoted = JSON.stringify(name);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}…"` : quoted;
}

/** The first thing wrong with a relation, schema or manifest; undefined when it is well-formed. */
function relationProblem(r: unknown): string | undefined {
  if (!isObject(r) || !isString(r.name) || (r.kind !== 'table' && r.kind !== 'materialized view')) return 'a relation without name or kind';
  if (!Array.isArray(r.columns) || !r.columns.every(isString)) return `relation ${r.name} has no column list`;
  if ((r.rows !== undefined && !Number.isSafeInteger(r.rows)) || (r.checksum !== undefined && !/^-?\d+$/.test(String(r.checksum)))) return `relation ${r.name} has a bad count or checksum`;
  return undefined;
}

function schemaProblem(s: unknown): string | undefined {
  if (!isObject(s) || !isString(s.name)) return 'a schema without a name';
  if (!isBackupName(s.name)) return `a schema has the bad name ${shown(s.name)}`;
  // The one file name backupDatabase gives a schema's archive: nothing else in (or outside) the run is ever read.
  if (!isString(s.archive) || !SAFE_FILE.test(s.archive) || s.archive !== archiveName(s.name)) {
    return `schema ${shown(s.name)} has the bad archive name ${isString(s.archive) ? shown(s.archive) : typeof s.archive}`;
  }
  if (s.format !== 'custom' || !Number.isSafeInteger(s.bytes) || !isString(s.sha256) || !/^[0-9a-f]{64}$/.test(s.sha256)) return `schema ${s.name} has a bad format, size or sha256`;
  if (!Array.isArray(s.relations) || !Array.isArray(s.sequences)) return `schema ${s.name} lists no relations or sequences`;
  const bad = s.relations.map(relationProblem).find(Boolean);
  if (bad) return `schema ${s.name}: ${bad}`;
  if (!s.sequences.every((q) => isObject(q) && isString(q.name) && /^-?\d+$/.test(String(q.lastValue)) && typeof q.isCalled === 'boolean')) return `schema ${s.name} has a bad sequence`;
  if (s.dependsOn !== undefined && !(Array.isArray(s.dependsOn) && s.dependsOn.every(isBackupName))) return `schema ${s.name} has a bad dependsOn list`;
  if (s.extensions !== undefined && !(Array.isArray(s.extensions) && s.extensions.every((e) => isObject(e) && isBackupName(e.name) && isBackupName(e.schema)))) return `schema ${s.name} has a bad extensions list`;
  return undefined;
}

function manifestProblem(m: unknown): string | undefined {
  if (!isObject(m) || m.format !== MANIFEST_FORMAT) return 'it is not a pg-schema-restore backup manifest';
  if (m.version !== MANIFEST_VERSION) return `its version ${String(m.version)} is not ${MANIFEST_VERSION}; use the pg-schema-restore version that wrote it`;
  if (!isString(m.database) || !isString(m.serverVersion) || !isString(m.encoding)) return 'the database, server version or encoding is missing';
  if (!isTime(m.snapshotAt) || !isTime(m.startedAt) || !isTime(m.finishedAt)) return 'a time is missing or not ISO 8601';
  if (!Array.isArray(m.schemas)) return 'it lists no schemas';
  const bad = m.schemas.map(schemaProblem).find(Boolean);
  if (bad) return bad;
  const names = m.schemas.map((x) => (x as ManifestSchema).name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  return twice === undefined ? undefined : `schema ${shown(twice)} is listed twice`;
}

/**
 * Read a manifest's text, checking its shape field by field (a manifest is data from outside: a
 * bad one is `BACKUP_CORRUPT`, naming what is wrong and where).
 *
 * @example
 * const manifest = parseManifest(await readFile('/backups/app/2026-11-27T190212Z/manifest.json', 'utf8'), where);
 */
export function parseManifest(text: string, where: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SchemaRestoreError('BACKUP_CORRUPT', `${where} is not JSON (${(err as Error).message}); the backup run is damaged: use another`, { cause: err });
  }
  const problem = manifestProblem(value);
  if (problem) throw new SchemaRestoreError('BACKUP_CORRUPT', `${where} is not a valid backup manifest: ${problem}`);
  return value as BackupManifest;
}

/**
 * A manifest's text as it is stored: stable key order, two-space indent, newline at the end.
 *
 * @example
 * await store.write(`${run}manifest.json`, Buffer.from(manifestText(manifest)));
 */
export function manifestText(manifest: BackupManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
