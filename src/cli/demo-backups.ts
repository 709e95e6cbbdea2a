import type { BackupResult } from '../backups/backup-database';
import { formatBytes } from '../format-units';

/**
 * A tenant backup run in the demo's words: where it went and each schema's archive size.
 *
 * @example
 * describeBackupRun(nightly);
 * // '   tenant backup /tmp/pgsr-demo-x/tenant-backups/tenant_a/2026-11-27T190212Z/: customer_a1 41 kB, customer_a2 41 kB, public 1 kB'
 */
export function describeBackupRun(run: BackupResult): string {
  const archives = run.manifest.schemas.map((s) => `${s.name} ${formatBytes(s.bytes)}`).join(', ');
  return `   tenant backup ${run.location}: ${archives}`;
}
