/**
 * Restore one tenant's schema from the past with the SDK, no AWS needed: from a pg_dump archive, or
 * from a pg_basebackup plus its WAL archive up to a time. The schema comes back side by side as
 * `customer_a1_<suffix>`; the live one is untouched.
 *
 *   npx ts-node examples/restore-schema-script.ts postgres://postgres@127.0.0.1:5432/tenants dump /backups/tenants.dump
 *   npx ts-node examples/restore-schema-script.ts postgres://postgres@127.0.0.1:5432/tenants pitr /backups/base /backups/wal 2024-01-28T14:30:00Z
 */
import { ProgressEvent, RestoreSource, restoreSchema } from '../src';

/** The source named on the command line. */
export function sourceFrom(args: string[]): RestoreSource {
  const [kind, ...rest] = args;
  if (kind === 'dump' && rest.length === 1) return { kind: 'dump', path: rest[0] };
  if (kind === 'pitr' && rest.length === 3) return { kind: 'pitr', baseBackup: rest[0], walArchive: rest[1], targetTime: new Date(rest[2]) };
  throw new Error('usage: restore-schema-script.ts <target-url> dump <archive> | pitr <base-backup> <wal-archive> <ISO time>');
}

function logProgress(event: ProgressEvent): void {
  if (event.type === 'log') console.error(`${event.level}: ${event.message}`);
}

async function main(): Promise<void> {
  const [target, ...sourceArgs] = process.argv.slice(2);
  const report = await restoreSchema({ source: sourceFrom(sourceArgs), target, schemas: ['customer_a1'], onProgress: logProgress });
  for (const schema of report.schemas) {
    console.log(`${schema.source} → ${schema.restored}: ${schema.tables.length} tables, data as of ${report.restorePoint}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
