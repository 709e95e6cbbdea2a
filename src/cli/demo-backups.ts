import type { DemoProduction } from './demo-production';
import type { BackupResult } from '../backups/backup-database';
import { useConnection } from '../copy/use-connection';
import { drillMarkdown } from '../drill/drill-markdown';
import type { DrillReport } from '../drill/drill-report';
import { runDrill } from '../drill/run-drill';
import { formatBytes } from '../format-units';
import { quoteIdent } from '../quote';
import type { RestoreReport } from '../report';
import type { RestoreSchemaOptions } from '../restore-options';
import { samplePublicSql } from '../sample/sample-shared-sql';

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

/** The scratch database the demo's restore drill restores into. */
const SCRATCH = 'drill_scratch';

/**
 * The monthly restore drill, in the demo: every tenant of the newest backup of `database` restored
 * into a scratch database of the same server, validated against the manifest and dropped. Returns
 * the report and its Markdown, indented for the narration.
 *
 * @example
 * const { report, markdown } = await runDemoDrill(production, 'tenant_a', deps.restore, signal);
 */
export async function runDemoDrill(production: DemoProduction, database: string,
  restore: (options: RestoreSchemaOptions) => Promise<RestoreReport>, signal?: AbortSignal): Promise<{ report: DrillReport; markdown: string }> {
  await useConnection(production.cluster.url('postgres'), { role: 'demo' }, (c) => c.query(`CREATE DATABASE ${quoteIdent(SCRATCH)}`));
  // A scratch database is prepared like production: the shared objects tenants use (citext, public.countries).
  await useConnection(production.cluster.url(SCRATCH), { role: 'demo' }, (c) => c.query(samplePublicSql()));
  const report = await runDrill({
    from: `${production.tenantBackups}/${database}/`, target: production.cluster.url(SCRATCH), maxAgeMs: 25 * 3600_000, restore, signal,
  });
  return { report, markdown: drillMarkdown(report).trimEnd().split('\n').map((l) => `    ${l}`).join('\n') };
}
