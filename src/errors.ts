import type { ErrorCode } from './error-codes';

export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes';

/**
 * Every error pg-schema-restore throws is a {@link SchemaRestoreError}: a one-line message that names
 * the problem and the fix, the original error kept as `cause`, and no secrets.
 */
export class SchemaRestoreError extends Error {
  /** Machine-readable code, stable across releases (e.g. `SCHEMA_NOT_FOUND`); each is listed in `ERROR_CODES`. */
  public readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad options or input detected before anything was created. */
export class InvalidInputError extends SchemaRestoreError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'INVALID_INPUT', message, options);
  }
}

/** A database could not be reached or refused the login. The message never contains the password. */
export class ConnectionError extends SchemaRestoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION_FAILED', message, options);
  }
}

/** A schema to restore is missing at the source. */
export class SchemaNotFoundError extends SchemaRestoreError {
  constructor(public readonly schema: string, where: string) {
    super('SCHEMA_NOT_FOUND', `schema "${schema}" does not exist in ${where}; check the name (it is case-sensitive) or the source`);
  }
}

/** The restored name is taken in the target. */
export class SchemaExistsError extends SchemaRestoreError {
  constructor(public readonly schema: string) {
    super('SCHEMA_EXISTS', `schema "${schema}" already exists in the target; choose another --suffix or drop it first`);
  }
}

/** Roles named in OWNER TO / GRANT / policies are missing in the target. */
export class MissingRolesError extends SchemaRestoreError {
  constructor(public readonly roles: string[]) {
    super('MISSING_ROLES', `role${roles.length > 1 ? 's' : ''} ${roles.map((r) => `"${r}"`).join(', ')} named in the schema's OWNER/GRANT/POLICY statements ` +
      `do not exist in the target; create ${roles.length > 1 ? 'them' : 'it'} there, or restore with --no-owner / --no-privileges (skipOwnership / skipPrivileges)`);
  }
}

/** The DDL could not be parsed or a reference to the old schema could not be rewritten. */
export class DdlError extends SchemaRestoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DDL_ERROR', message, options);
  }
}

/** An external program (pg_dump, pg_ctl, ...) failed or is missing. */
export class ToolError extends SchemaRestoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOOL_FAILED', message, options);
  }
}

/** Restored data does not match the source. */
export class ValidationError extends SchemaRestoreError {
  constructor(message: string, public readonly mismatches: string[]) {
    super('VALIDATION_FAILED', message);
  }
}

/** The restore was aborted through its AbortSignal (Ctrl-C in the CLI). */
export class AbortedError extends SchemaRestoreError {
  constructor(message = 'restore aborted; everything it created has been removed') {
    super('ABORTED', message);
  }
}

/** Moving data into the restored schema failed: copying a table, setting a sequence or refreshing a materialized view. */
export class CopyError extends SchemaRestoreError {
  constructor(
    /** Schema (at the source) of the relation that failed. */
    public readonly schema: string,
    /** Table, sequence or materialized view that failed. */
    public readonly relation: string,
    message: string,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'COPY_FAILED', message, options);
  }
}

/** An AWS call that creates, waits for or describes a cloud resource failed (refused, timed out, ended in a failed state). */
export class AwsResourceError extends SchemaRestoreError {
  constructor(
    /** The resource concerned (DB instance or cluster identifier, secret ARN). */
    public readonly resource: string,
    message: string,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'AWS_RESOURCE_FAILED', message, options);
  }
}

/** Some temporary resources could not be removed; `leftovers` names each, so it can be deleted by hand or by a later sweep. */
export class CleanupError extends SchemaRestoreError {
  constructor(
    message: string,
    public readonly leftovers: ReadonlyArray<{ readonly kind: string; readonly id: string; readonly reason: string }>,
    options?: { cause?: unknown },
  ) {
    super('CLEANUP_FAILED', message, options);
  }
}

/** Database credentials could not be read from Secrets Manager, were refused by every version, or could not be reset. Never carries a password. */
export class CredentialsError extends SchemaRestoreError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'CREDENTIALS_FAILED', message, options);
  }
}

/** A session that holds a lock the restore needs on an object outside its staging schema. */
export interface LockHolder {
  readonly pid: number;
  readonly user: string;
  readonly application: string;
  readonly state: string;
  /** When its transaction started (ISO), if it has one. */
  readonly since?: string;
  readonly mode: string;
  /** The relation it holds the lock on, as `schema.name`. */
  readonly relation?: string;
  /** What it runs or last ran, string literals replaced by `…` (no secrets). */
  readonly query?: string;
}

/**
 * A lock on an object outside the staging schema could not be had within the lock timeout, after
 * every retry; `holders` names the sessions in the way. Nothing waits any longer: live writers are
 * never queued behind the restore.
 */
export class LockTimeoutError extends SchemaRestoreError {
  constructor(message: string, public readonly object: string, public readonly holders: readonly LockHolder[], options?: { cause?: unknown }) {
    super('LOCK_TIMEOUT', message, options);
  }
}

/**
 * An established connection broke while the restore used it: `side` and `session` say which one
 * (`source`, `snapshot session`), `reason` what the server or the network said. Everything the restore
 * created has been removed by the time it is thrown.
 */
export class ConnectionLostError extends SchemaRestoreError {
  constructor(
    public readonly side: string,
    public readonly session: string,
    public readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONNECTION_LOST', message, options);
  }
}
