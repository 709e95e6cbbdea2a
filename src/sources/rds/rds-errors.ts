import type { ErrorCode } from '../../errors';

/** `code`s of the {@link InvalidInputError}s an RDS source throws for bad input, before anything is created. */
export const RDS_ERROR_CODES = {
  /** The source options are inconsistent (not exactly one of restoreTime, snapshotId, useLatestRestorableTime, …). */
  badSource: 'RDS_BAD_SOURCE',
  /** No DB instance or cluster of that identifier in this account and region. */
  notFound: 'RDS_NOT_FOUND',
  /** The source is not PostgreSQL. */
  engineUnsupported: 'RDS_ENGINE_UNSUPPORTED',
  /** The restore time lies outside the backup retention window (or backups are off). */
  timeOutsideWindow: 'RDS_TIME_OUTSIDE_WINDOW',
  /** The snapshot does not exist. */
  snapshotNotFound: 'RDS_SNAPSHOT_NOT_FOUND',
  /** The snapshot exists but is not `available` (still being created, failed, …). */
  snapshotNotAvailable: 'RDS_SNAPSHOT_NOT_AVAILABLE',
  /** The snapshot was taken of another instance or cluster. */
  snapshotOfAnotherSource: 'RDS_SNAPSHOT_OF_ANOTHER_SOURCE',
  /** Neither credentials nor a secret were given for the temporary database. */
  noCredentials: 'RDS_NO_CREDENTIALS',
} as const satisfies Record<string, ErrorCode>;
