import type { RDSClient } from '@aws-sdk/client-rds';
import { DetectedRdsSource } from './detect-rds-source';
import { RDS_ERROR_CODES } from './rds-errors';
import { temporarySettings, TemporarySettings } from './temporary-settings';
import { explainAwsResourceError, isAwsError } from '../../aws/explain-aws-error';
import { rdsSdk } from '../../aws/sdk';
import { ErrorCode, InvalidInputError } from '../../errors';
import { RdsSource } from '../restore-source';

/** How the temporary database is restored. */
export type RdsRestoreMethod =
  | { readonly type: 'time'; readonly restoreTime: Date }
  | { readonly type: 'latest' }
  | { readonly type: 'snapshot'; readonly snapshotId: string; readonly createdAt?: Date; readonly engine?: string; readonly engineVersion?: string };

/** A checked RDS restore: how, and the settings of the temporary database. Nothing is created yet. */
export interface RdsRestorePlan extends TemporarySettings {
  readonly method: RdsRestoreMethod;
}

/** Options of {@link validateRdsRestore}. */
export interface ValidateRdsRestoreOptions {
  readonly rds: RDSClient;
  readonly source: RdsSource;
  readonly detected: DetectedRdsSource;
  readonly signal?: AbortSignal;
}

const invalid = (message: string, code: ErrorCode) => new InvalidInputError(message, { code });
const iso = (d: Date | undefined) => d?.toISOString() ?? 'unknown';

/**
 * Check the shape of an RDS source without calling AWS: exactly one restore method, a valid time,
 * a login (credentials or secret), a positive TTL.
 *
 * @example
 * checkRdsSource({ kind: 'rds', id: 'prod-db', useLatestRestorableTime: true, secretId: 'prod-db-master' });
 */
export function checkRdsSource(source: RdsSource): void {
  if (typeof source.id !== 'string' || source.id === '') throw invalid('the RDS source needs an id: the DB instance or Aurora cluster identifier', RDS_ERROR_CODES.badSource);
  const methods = [source.restoreTime !== undefined, source.snapshotId !== undefined, source.useLatestRestorableTime === true].filter(Boolean).length;
  if (methods !== 1) {
    throw invalid(`give exactly one of restoreTime, snapshotId, useLatestRestorableTime for the RDS source "${source.id}" (${methods} given)`, RDS_ERROR_CODES.badSource);
  }
  if (source.restoreTime !== undefined && !(source.restoreTime instanceof Date && !Number.isNaN(source.restoreTime.getTime()))) {
    throw invalid(`restoreTime of the RDS source "${source.id}" is not a valid date; pass a Date with a time zone (e.g. 2024-01-28T14:30:00Z)`, RDS_ERROR_CODES.badSource);
  }
  if (source.ttlHours !== undefined && !(source.ttlHours > 0)) {
    throw invalid(`ttlHours of the RDS source "${source.id}" must be a positive number of hours`, RDS_ERROR_CODES.badSource);
  }
}

function checkEngine(detected: DetectedRdsSource, id: string): string {
  const engine = detected.type === 'instance' ? detected.instance.Engine : detected.cluster.Engine;
  const expected = detected.type === 'instance' ? 'postgres' : 'aurora-postgresql';
  if (engine !== expected) {
    throw invalid(`"${id}" runs ${engine ?? 'an unknown engine'}, not PostgreSQL; only RDS for PostgreSQL (postgres) and Aurora PostgreSQL (aurora-postgresql) can be restored`,
      RDS_ERROR_CODES.engineUnsupported);
  }
  return engine;
}

async function restoreWindow(rds: RDSClient, detected: DetectedRdsSource, signal?: AbortSignal): Promise<{ earliest?: Date; latest?: Date }> {
  if (detected.type === 'cluster') return { earliest: detected.cluster.EarliestRestorableTime, latest: detected.cluster.LatestRestorableTime };
  const id = detected.instance.DBInstanceIdentifier!;
  try {
    const out = await rds.send(new rdsSdk.DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: id }), { abortSignal: signal });
    const starts = (out.DBInstanceAutomatedBackups ?? []).map((b) => b.RestoreWindow?.EarliestTime).filter((t): t is Date => t !== undefined);
    const earliest = starts.length > 0 ? new Date(Math.min(...starts.map((t) => t.getTime()))) : undefined;
    return { earliest, latest: detected.instance.LatestRestorableTime };
  } catch (err) {
    if (isAwsError(err, 'DBInstanceAutomatedBackupNotFoundFault')) return { latest: detected.instance.LatestRestorableTime };
    throw explainAwsResourceError('rds', err, `read the backup window of "${id}"`, id);
  }
}

async function checkTime(rds: RDSClient, source: RdsSource, detected: DetectedRdsSource, signal?: AbortSignal): Promise<void> {
  const { earliest, latest } = await restoreWindow(rds, detected, signal);
  if (!earliest || !latest) {
    throw invalid(`"${source.id}" has no point-in-time backups (automated backups are off or not yet taken); restore from a snapshot (snapshotId) instead`,
      RDS_ERROR_CODES.timeOutsideWindow);
  }
  const at = source.restoreTime;
  if (at && (at < earliest || at > latest)) {
    throw invalid(`restore time ${at.toISOString()} is outside what "${source.id}" can restore (${iso(earliest)} to ${iso(latest)}); ` +
      'choose a time in that window, or a snapshot', RDS_ERROR_CODES.timeOutsideWindow);
  }
}

async function checkSnapshot(rds: RDSClient, source: RdsSource & { snapshotId: string }, detected: DetectedRdsSource,
  signal?: AbortSignal): Promise<RdsRestoreMethod> {
  const cluster = detected.type === 'cluster';
  const kind = cluster ? 'DB cluster snapshot' : 'DB snapshot';
  let found: { of?: string; status?: string; createdAt?: Date; engine?: string; engineVersion?: string } | undefined;
  try {
    if (cluster) {
      const describe = new rdsSdk.DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: source.snapshotId });
      const out = await rds.send(describe, { abortSignal: signal });
      const s = out.DBClusterSnapshots?.[0];
      found = s && { of: s.DBClusterIdentifier, status: s.Status, createdAt: s.SnapshotCreateTime, engine: s.Engine, engineVersion: s.EngineVersion };
    } else {
      const out = await rds.send(new rdsSdk.DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: source.snapshotId }), { abortSignal: signal });
      const s = out.DBSnapshots?.[0];
      found = s && {
        of: s.DBInstanceIdentifier, status: s.Status, createdAt: s.SnapshotCreateTime, engine: s.Engine, engineVersion: s.EngineVersion,
      };
    }
  } catch (err) {
    if (!isAwsError(err, 'DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault')) throw explainAwsResourceError('rds', err, `describe the ${kind} "${source.snapshotId}"`, source.snapshotId);
  }
  if (!found) throw invalid(`there is no ${kind} "${source.snapshotId}"; list them with aws rds describe-db${cluster ? '-cluster' : ''}-snapshots --db${cluster ? '-cluster' : ''}-identifier ${source.id}`, RDS_ERROR_CODES.snapshotNotFound);
  if (found.of !== source.id) {
    throw invalid(`${kind} "${source.snapshotId}" was taken of "${found.of ?? 'another source'}", not of "${source.id}"; choose a snapshot of "${source.id}" or change the source id`,
      RDS_ERROR_CODES.snapshotOfAnotherSource);
  }
  if (found.status !== 'available') {
    throw invalid(`${kind} "${source.snapshotId}" is ${found.status ?? 'in an unknown state'}, not available; wait until it is available or choose another snapshot`,
      RDS_ERROR_CODES.snapshotNotAvailable);
  }
  return { type: 'snapshot', snapshotId: source.snapshotId, createdAt: found.createdAt, engine: found.engine, engineVersion: found.engineVersion };
}

/**
 * Check, before anything is created, that an RDS restore can work: the source is PostgreSQL, the
 * time lies within its backup window or the snapshot is an available snapshot of this very source,
 * and a login was given; work out the temporary database's settings. Bad input is an
 * {@link InvalidInputError} with a code from {@link RDS_ERROR_CODES}.
 *
 * @example
 * const plan = await validateRdsRestore({ rds, source, detected: await detectRdsSource({ rds, id: source.id }) });
 */
export async function validateRdsRestore(options: ValidateRdsRestoreOptions): Promise<RdsRestorePlan> {
  const { rds, source, detected, signal } = options;
  checkRdsSource(source);
  const id = detected.type === 'instance' ? detected.instance.DBInstanceIdentifier! : detected.cluster.DBClusterIdentifier!;
  const named = { ...source, id };
  checkEngine(detected, source.id);
  const settings = temporarySettings(named, detected);
  if (!source.credentials && !source.secretId) {
    throw invalid(`no login for the temporary copy of "${source.id}": pass credentials ({ username: '${settings.masterUsername ?? 'postgres'}', password }) ` +
      'of a user that existed at the restore point, or secretId of its Secrets Manager secret', RDS_ERROR_CODES.noCredentials);
  }
  if (named.snapshotId !== undefined) {
    return { ...settings, method: await checkSnapshot(rds, { ...named, snapshotId: named.snapshotId }, detected, signal) };
  }
  await checkTime(rds, named, detected, signal);
  return { ...settings, method: named.restoreTime ? { type: 'time', restoreTime: named.restoreTime } : { type: 'latest' } };
}
