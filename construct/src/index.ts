export * from './copy-engine';
export * from './restore-database';
export * from './schema-restore-props';
export * from './schema-restore';
export * from './tenant-backups';
