/** How rows move from the temporary database into the live one. */
export enum CopyEngine {
  /** Streaming COPY in the Fargate task (pg_dump for the DDL): all schemas in one task. */
  COPY = 'copy',
  /** AWS DMS full-load tasks, one Map iteration per schema; deploys a replication subnet group and a role for DMS. */
  DMS = 'dms',
}
