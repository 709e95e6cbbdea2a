export * from './copy-engine';
export * from './restore-database';
export * from './schema-restore-props';
export * from './schema-restore';
export * from './backup-access-logging';
export * from './tenant-backups-props';
export * from './tenant-backups';
