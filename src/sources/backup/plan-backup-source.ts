import { planBackupLoad } from './backup-load-plan';
import { describeBackup } from './restore-backup';
import { openBackupStore } from '../../backups/backup-store';
import { formatBytes } from '../../format-units';
import type { RestoreSchemaOptions } from '../../restore-options';
import type { SourcePlan } from '../plan-source';
import type { BackupSource } from '../restore-source';

/**
 * What a dry run shows of a backup source, from the manifests alone (no archive is read, nothing
 * is started): the backup chosen (location, snapshot time), the archives a restore would read
 * and their bytes, and per table the rows the manifest recorded. Fails with the errors a restore
 * would (no backup at or before `--at`, a schema not in the backup, a missing dependency).
 *
 * @example
 * const plan = await planBackupSource({ kind: 'backup', location: 's3://backups/nightly/app/' }, options);
 * plan.steps; // ['read 2 archives (1.2 MB) of backup s3://…: public.dump, customer_a1.dump, checking each sha256', …]
 */
export async function planBackupSource(source: BackupSource, options: RestoreSchemaOptions): Promise<SourcePlan> {
  const store = openBackupStore(source.location, { client: options.clients?.s3, endpoint: options.s3Endpoint, signal: options.signal });
  try {
    const plan = await planBackupLoad(store, source, options.schemas);
    const tables = new Map(plan.archives.filter((a) => plan.requested.includes(a.name)).map((a) => [a.name, a.relations
      .filter((r) => r.kind === 'table')
      .map((r) => ({ name: r.name, estimatedRows: r.rows, estimatedBytes: 0 }))
      .sort((x, y) => x.name.localeCompare(y.name))]));
    const archives = plan.archives.map((a) => `${a.archive} (${formatBytes(a.bytes)})`).join(', ');
    const dependencies = plan.dependencies.length ? `; ${plan.dependencies.join(', ')} only as ${plan.requested.length === 1 ? 'it depends' : 'they depend'} on ${plan.dependencies.length === 1 ? 'it' : 'them'}` : '';
    return {
      description: describeBackup(plan),
      restorePoint: plan.snapshotAt,
      tables,
      steps: [
        `read ${plan.archives.length} archive${plan.archives.length === 1 ? '' : 's'}, ${formatBytes(plan.bytes)}, of ${plan.run.display}: ${archives}${dependencies}; check each one's sha256 against the manifest`,
        'restore them into a throwaway local PostgreSQL server',
        'after validation, check the restored rows against the manifest\'s counts and checksums',
      ],
      warnings: [],
    };
  } finally {
    store.close();
  }
}
