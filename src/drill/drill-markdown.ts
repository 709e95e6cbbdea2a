import type { DrillReport, DrillTenant } from './drill-report';
import { formatAge } from '../backups/format-age';
import { formatBytes, formatCount, formatDuration } from '../format-units';

/** A table cell: pipes and line breaks would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function tenantRow(t: DrillTenant): string {
  return row([t.schema, t.verdict === 'pass' ? 'pass' : '**FAIL**', formatDuration(t.durationMs), formatCount(t.rows),
    formatBytes(t.bytes), formatBytes(t.archiveBytes), t.problems.join('; ') || '—']);
}

/**
 * The drill report as Markdown, to keep with the team's records: the verdict, the date, the backup
 * used (location, snapshot, age against the limit), the scratch database, one row per tenant
 * (verdict, restore time, rows, bytes, archive size, problems), then every problem and warning. Pure.
 *
 * @example
 * writeFileSync('drill-2026-11.md', drillMarkdown(await runDrill({ from, target })), { mode: 0o600 });
 */
export function drillMarkdown(report: DrillReport): string {
  const passed = report.tenants.filter((t) => t.verdict === 'pass').length;
  const b = report.backup;
  const limit = b.maxAgeMs === undefined ? '' : ` (limit ${formatAge(b.maxAgeMs)}${b.stale ? ': **exceeded**' : ''})`;
  const lines = [
    `# Restore drill ${report.date.slice(0, 10)}`,
    '',
    `**Verdict: ${report.verdict === 'pass' ? 'PASS' : 'FAIL'}** — ${passed} of ${report.tenants.length} tenant(s) restored, validated and dropped.`,
    '',
    row(['', '']),
    row(['---', '---']),
    row(['Date', report.date]),
    row(['Backup', b.location]),
    row(['Database', b.database]),
    row(['Snapshot (restore point)', b.snapshotAt]),
    row(['Backup age (RPO)', `${formatAge(b.ageMs)}${limit}`]),
    row(['Scratch database', report.target]),
    row(['Tenants', `${report.tenants.length} (${report.selection})`]),
    row(['Drill duration', formatDuration(report.durationMs)]),
    '',
    '## Tenants',
    '',
    row(['Tenant', 'Verdict', 'Restore time (RTO)', 'Rows', 'Bytes copied', 'Archive', 'Problems']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---']),
    ...report.tenants.map(tenantRow),
  ];
  if (report.problems.length > 0) lines.push('', '## Problems', '', ...report.problems.map((p) => `- ${p}`));
  const warnings = report.tenants.flatMap((t) => t.warnings.map((w) => `${t.schema}: ${w}`));
  if (report.leftoversDropped?.length) warnings.push(`dropped ${report.leftoversDropped.join(', ')} from the scratch database: left by an earlier drill that was killed`);
  if (warnings.length > 0) lines.push('', '## Warnings', '', ...warnings.map((w) => `- ${w}`));
  return `${lines.join('\n')}\n`;
}
