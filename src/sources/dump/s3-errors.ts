// Moved to src/aws/ (the backups use it too); kept here so the dump source's imports stay as they were.
export * from '../../aws/s3-errors';
