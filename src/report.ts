/** One restored table or materialized view: rows copied and how validation went. */
export interface TableReport {
  /** Table name (unqualified). */
  readonly name: string;
  readonly kind: 'table' | 'materialized view';
  /** Rows in the restored table. */
  readonly rows: number;
  /** Bytes of COPY data transferred (0 for materialized views, which are refreshed). */
  readonly bytes: number;
  readonly sourceRows?: number;
  /** Source and restored content checksums agree (undefined when validation was skipped). */
  readonly checksumMatch?: boolean;
  readonly durationMs: number;
}

/** One sequence and the position it was set to. */
export interface SequenceReport {
  readonly name: string;
  /** `last_value` as text (bigint-safe). */
  readonly lastValue: string;
  readonly isCalled: boolean;
}

export interface SchemaReport {
  /** Schema name at the source. */
  readonly source: string;
  /** Name it was restored under. */
  readonly restored: string;
  readonly tables: TableReport[];
  readonly sequences: SequenceReport[];
}

/** Large objects the restored rows refer to, copied into the target. */
export interface LargeObjectsReport {
  /** New large objects created (one per source large object, however many rows share it). */
  readonly count: number;
  /** Bytes of content copied. */
  readonly bytes: number;
}

/** What {@link restoreSchema} returns, and what the CLI prints with `--json`. */
export interface RestoreReport {
  readonly restoreId: string;
  /** The moment the restored data is from (ISO 8601, UTC). */
  readonly restorePoint: string;
  readonly schemas: SchemaReport[];
  /** Large objects copied for the restored rows; undefined when no column refers to any (or `noLargeObjects`). */
  readonly largeObjects?: LargeObjectsReport;
  /** Things the user should know (unlogged tables, stale materialized views, ...). */
  readonly warnings: string[];
  readonly durationMs: number;
  /** Restores from a tenant backup: which run, and that the restored tables matched its manifest. */
  readonly backup?: BackupUsedReport;
}

/** The backup run a restore read (its tables' counts and checksums were checked against its manifest). */
export interface BackupUsedReport {
  /** `s3://backups/nightly/app/2026-11-27T190212Z/` */
  readonly location: string;
  /** The run's snapshot time (ISO 8601, UTC): the restore point. */
  readonly snapshotAt: string;
}
