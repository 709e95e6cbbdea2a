/**
 * `pg-schema-restore`: restore one tenant's schema from the past, side by side, into the live database.
 *
 * The root entry is the restore itself: {@link restoreSchema}, {@link planRestore},
 * {@link restoreTemporary}, the pipeline steps it is made of, the errors with their stable codes, and
 * the option, progress and report types. The rest is in subpath entries, so internal helpers are no
 * API promise: `pg-schema-restore/aws` (RDS, Secrets Manager, DMS, the resource ledger),
 * `pg-schema-restore/local` (throwaway PostgreSQL clusters, backups of them, crash leftovers) and
 * `pg-schema-restore/testing` (sample multi-tenant databases).
 *
 * @example
 * import { restoreSchema, SchemaRestoreError } from 'pg-schema-restore';
 *
 * const report = await restoreSchema({ source: pastUrl, target: liveUrl, schemas: ['customer_a1'] });
 * console.log(report.schemas[0].restored); // customer_a1_20240128143000
 */

// The whole restore, its plan, and where the past comes from.
export { restoreSchema } from './restore-schema';
export type { RestoreSchemaOptions } from './restore-options';
export * from './plan-restore';
export * from './report';
export { restoreTemporary } from './sources/restore-temporary';
export * from './sources/restore-source';
export { timestampSuffix } from './restore-names';
export type { DatabaseConnection } from './connection';
export type { PhaseRunner, SchemaPlan } from './restore/restore-run';
export type { RestorePhase, PhaseEvent, TableEvent, BuildEvent, LogEvent, ArchiveEvent, ProgressEvent, ProgressListener } from './progress';
export type { Abortable, RunsPostgresPrograms, SourceAndTarget, WithClock, WithProgress } from './run-options';
export * from './errors';
export type { DumpArchiveErrorCode } from './sources/dump/dump-archive-errors';

// The steps of the pipeline, each usable on its own.
export { openSourceSnapshot, type SourceSnapshot } from './connection/source-snapshot';
export { extractDdl, type ExtractDdlOptions } from './ddl/extract-ddl';
export * from './ddl/split-ddl';
export type { DdlSection, DdlStatementKind } from './ddl/classify-statement';
export * from './ddl/apply-ddl';
export { renameSchemasInSql, type SchemaRenames, type RenameResult } from './ddl/rename-schemas';
export type { KeptNames } from './ddl/rename-edits';
export { extensionObjects, checkTargetExtensions, type ExtensionObjects, type ExtensionPlacement } from './ddl/extension-objects';
export type { SchemaMapping } from './copy/schema-mapping';
export type { ClientOrConnection } from './copy/use-connection';
export { migrateSchemas, type MigrateSchemasOptions, type CopiedTable } from './copy/migrate-schemas';
export { copySequencePositions, type CopySequencePositionsOptions, type CopiedSequence, type SequencePosition } from './copy/sequence-positions';
export * from './copy/refresh-materialized-views';
export * from './validate/validate-restore';
export type { RelationChecksum } from './validate/checksum-relation';
export { dropStagingSchemas, type DropStagingOptions, type DropStagingResult } from './cleanup/drop-staging';

// What a backup holds, before restoring from it.
export { inspectDumpArchive, type DumpArchiveInfo, type InspectDumpArchiveOptions } from './sources/dump/inspect-dump-archive';
export * from './sources/dump/count-archive-rows';
export type { DumpArchiveFormat } from './sources/dump/dump-archive-format';
export type { DumpTime } from './sources/dump/dump-archive-time';
export { inspectBaseBackup, type BaseBackupInfo, type InspectBaseBackupOptions } from './sources/pitr/base-backup';

// Tenant backups: one snapshot, one pg_dump archive per schema, a manifest with checksums.
export { backupDatabase, type BackupDatabaseOptions, type BackupResult } from './backups/backup-database';
export type { BackupManifest, ManifestSchema, ManifestRelation, ManifestSequence } from './backups/backup-manifest';
export type { OpenBackupStoreOptions } from './backups/backup-store';

// After the restore: what changed since the restore point, compared inside the database.
export { diffSchemas, type DiffSchemasOptions } from './compare/diff-schemas';
export { tableDiffers, type SchemaDiff, type TableDiff, type RowKey, type RowCategory } from './compare/diff-result';
export { renderDiff, diffSummary, type RenderDiffOptions } from './compare/render-diff';
export { matchTables, type MatchTablesOptions, type SchemaMatch, type TableMatch, type ComparedColumn, type ColumnTypeDifference } from './compare/match-tables';
export { chooseKey, readKeys, type KeyKind, type KeyCandidate, type TableKey } from './compare/choose-key';
export { classifyRowsSql, type TableComparison } from './compare/classify-rows';
export { diffTable, type DiffTableOptions } from './compare/diff-table';

// After the restore: put rows back from the restored schema into live, in one verified transaction.
export { repairRows, type RepairRowsOptions } from './repair/repair-rows';
export type { RepairResult, TableRepair, RepairCategory, SequenceMove } from './repair/repair-result';
export { renderRepair } from './repair/render-repair';

// SQL on the restored schemas: identifiers are always quoted.
export { quoteIdent, quoteQualified, quoteLiteral } from './quote';

// Looking after tenant backups: list, check, retention.
export { listBackups, type ListBackupsOptions, type BackupSummary } from './backups/list-backups';
export { checkBackups, type CheckBackupsOptions, type CheckBackupsResult, type DatabaseBackupHealth, type BackupHealthRules } from './backups/check-backups';
export { planPrune, type PlanPruneOptions, type PruneDecision, type PrunableRun, type RetentionPolicy } from './backups/plan-prune';
export { pruneBackups, type PruneBackupsOptions, type PruneBackupsResult } from './backups/prune-backups';
export type { BackupLocationOptions } from './backups/backup-location';

// Proving backups: verify archives (and restores) against the manifest; restore drills with a written report.
export { verifyBackup, type VerifyBackupOptions, type BackupVerification, type SchemaVerification } from './drill/verify-backup';
export { runDrill, type RunDrillOptions } from './drill/run-drill';
export type { DrillReport, DrillTenant } from './drill/drill-report';
export { drillMarkdown } from './drill/drill-markdown';

// After the restore: the restored schema takes the live one's place (and back).
export { swapSchemas, type SwapSchemasOptions, type SwapResult } from './swap/swap-schemas';
