import { REPAIR_CATEGORIES, type RepairCategory, type RepairResult, type TableRepair } from './repair-result';

const DONE: Record<RepairCategory, [would: string, did: string]> = {
  deleted: ['would re-insert', 're-inserted'],
  changed: ['would put back', 'put back'],
  added: ['would delete', 'deleted'],
};

const rows = (n: number): string => `${n} row${n === 1 ? '' : 's'}`;

function tableLine(t: TableRepair, result: RepairResult): string {
  const parts = REPAIR_CATEGORIES.filter((c) => t[c] !== undefined).map((c) => {
    const asked = result.categories.includes(c);
    const verb = DONE[c][result.dryRun ? 0 : 1];
    return `${c}: ${verb} ${rows(t[c] ?? 0)}${asked ? '' : ' with --added'}`;
  });
  return `${t.table} [${t.keyKind === 'row' ? 'no key: whole rows' : `key ${t.key.join(', ')}`}]: ${parts.join('; ')}`;
}

function total(result: RepairResult, c: RepairCategory): number {
  return result.tables.reduce((n, t) => n + (t[c] ?? 0), 0);
}

/**
 * A repair as text: one line per table (counts per category), in a dry run the statements it would
 * run, the sequences moved forward, and a summary line last.
 *
 * @example
 * process.stdout.write(renderRepair(result));
 * // users [key id]: deleted: re-inserted 2 rows
 * // Repaired "customer_a1" from "customer_a1_20240128143000": 2 deleted rows re-inserted; verified: no deleted rows left
 */
export function renderRepair(result: RepairResult): string {
  const counts = result.categories.map((c) => `${total(result, c)} ${c} rows ${DONE[c][1]}`).join(', ');
  const summary = result.dryRun
    ? `Dry run: nothing was written to "${result.schema}"; the statements above would run in one transaction`
    : `Repaired "${result.schema}" from "${result.from}": ${counts}; verified: no ${result.categories.join(', ')} rows left`;
  const lines = [
    ...result.tables.map((t) => tableLine(t, result)),
    ...result.dryRun ? result.plan.map((sql) => `  ${sql};`) : [],
    ...result.sequences.map((s) => `sequence ${s.sequence} moved forward from ${s.from} to ${s.to}`),
    ...result.triggers ? [] : ['triggers did not fire (--no-triggers: session_replication_role = replica)'],
    summary,
  ];
  return `${lines.join('\n')}\n`;
}
