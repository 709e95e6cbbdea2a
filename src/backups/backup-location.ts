import { BackupStore, OpenBackupStoreOptions, openBackupStore } from './backup-store';

/** Where to read backups from, for the commands that look after them (list, check, prune). */
export interface BackupLocationOptions {
  /** `s3://bucket/prefix/` or a local directory: a root holding several databases' runs, or one database's directory. */
  readonly from: string;
  /** S3 access (client, endpoint, signal); S3 only. */
  readonly s3?: OpenBackupStoreOptions;
}

/**
 * Open the store at `from`, run `work` on it, and close it whatever happens.
 *
 * @example
 * const runs = await withBackupStore({ from: '/backups' }, (store) => listBackupRuns(store));
 */
export async function withBackupStore<T>(options: BackupLocationOptions, work: (store: BackupStore) => Promise<T>): Promise<T> {
  const store = openBackupStore(options.from, options.s3);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
