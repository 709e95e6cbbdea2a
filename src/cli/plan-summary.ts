import { formatBytes, formatCount } from '../format-units';
import { RestorePlan } from '../plan-restore';

/**
 * The human form of a `--dry-run` plan: source, restore point, schemas → restored names, tables with
 * estimated rows and bytes, and the steps a restore would take.
 *
 * @example
 * process.stdout.write(formatPlan(await planRestore(options)));
 */
export function formatPlan(plan: RestorePlan): string {
  const lines = [
    'Plan (dry run: nothing was created or changed)',
    `  source:        ${plan.source}`,
    `  restore point: ${plan.restorePoint ?? 'the moment the restore starts (a snapshot of the source)'}`,
    `  target:        ${plan.target}`,
    '  schemas:',
  ];
  for (const schema of plan.schemas) {
    lines.push(`    ${schema.source} → ${schema.restored}`);
    if (!schema.tables) {
      lines.push(`      tables: ${plan.tablesUnknownReason ?? 'known once the source is up'}`);
      continue;
    }
    const width = Math.max(0, ...schema.tables.map((t) => t.name.length));
    const rows = schema.tables.map((t) => (t.estimatedRows === undefined ? '? rows' : `${formatCount(t.estimatedRows)} rows`));
    const rowsWidth = Math.max(0, ...rows.map((r) => r.length));
    schema.tables.forEach((t, i) => lines.push(`      ${t.name.padEnd(width)}  ${rows[i].padStart(rowsWidth)}  ${formatBytes(t.estimatedBytes)}`));
    if (schema.tables.length === 0) lines.push('      (no tables)');
  }
  if (plan.resources.length) {
    lines.push('  AWS resources created while the restore runs (all deleted at its end):');
    const width = Math.max(...plan.resources.map((r) => `${r.kind} ${r.name}`.length));
    for (const r of plan.resources) {
      const cost = r.usdPerHour === undefined ? r.costBasis ?? 'no hourly charge' : `~$${r.usdPerHour.toFixed(3)}/hour (${r.costBasis})`;
      lines.push(`    ${`${r.kind} ${r.name}`.padEnd(width)}  ${r.detail}; ${cost}`);
    }
    const priced = plan.resources.filter((r) => r.usdPerHour !== undefined);
    if (priced.length) lines.push(`    estimated total: ~$${priced.reduce((sum, r) => sum + (r.usdPerHour ?? 0), 0).toFixed(3)}/hour on demand, compute only`);
  }
  lines.push('  steps:', ...plan.steps.map((step, i) => `    ${i + 1}. ${step}`));
  if (plan.warnings.length) lines.push('Warnings:', ...plan.warnings.map((w) => `  ! ${w}`));
  return `${lines.join('\n')}\n`;
}
