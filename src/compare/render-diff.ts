import { RowCategory, RowKey, SchemaDiff, TableDiff, tableDiffers } from './diff-result';

/** Options of {@link renderDiff}. */
export interface RenderDiffOptions {
  /** Only the summary line. @default false */
  readonly summaryOnly?: boolean;
}

const CATEGORIES: readonly RowCategory[] = ['deleted', 'added', 'changed'];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `id=17` or `(order_id=1, product_id=2)`, cut at 80 characters. */
function keyText(key: RowKey): string {
  const parts = Object.entries(key).map(([column, value]) => `${column}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const text = parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function matchedBy(t: TableDiff): string {
  return t.keyKind === 'row' ? 'no key: whole rows' : `${t.keyKind === 'primary' ? 'primary key' : 'unique key'} ${t.key.join(', ')}`;
}

function tableLine(t: TableDiff): string {
  const counts = CATEGORIES.filter((c) => t[c] > 0).map((c) => {
    const samples = t.samples[c].map(keyText).join(', ');
    return `${t[c]} ${c}${samples ? ` (e.g. ${samples})` : ''}`;
  });
  return `${t.table} [${matchedBy(t)}]: ${counts.join('; ')}`;
}

function columnNotes(t: TableDiff): string[] {
  const list = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');
  return [
    ...(t.columnsOnlyInLive.length ? [`${t.table}: only in live, not compared: ${list(t.columnsOnlyInLive)}`] : []),
    ...(t.columnsOnlyInRestored.length ? [`${t.table}: only in restored, not compared: ${list(t.columnsOnlyInRestored)}`] : []),
    ...t.columnTypeDifferences.map((d) => `${t.table}: "${d.column}" is ${d.live} live, ${d.restored} restored`),
    ...(t.comparedAsText.length ? [`${t.table}: compared by text form: ${list(t.comparedAsText)}`] : []),
  ];
}

/**
 * The summary line: how many tables differ and how many rows in each category.
 *
 * @example
 * diffSummary(diff); // '2 of 5 tables differ: 3 deleted, 1 added, 2 changed rows (customer_a1 against customer_a1_20240128143000)'
 */
export function diffSummary(diff: SchemaDiff): string {
  const differing = diff.tables.filter(tableDiffers).length;
  const sum = (c: RowCategory): number => diff.tables.reduce((n, t) => n + t[c], 0);
  const against = `(${diff.schema} against ${diff.against})`;
  if (differing === 0) return `No differences in ${plural(diff.tables.length, 'table')} ${against}`;
  return `${differing} of ${plural(diff.tables.length, 'table')} differ: ${sum('deleted')} deleted, ${sum('added')} added, ${sum('changed')} changed rows ${against}`;
}

/**
 * The diff as text: one line per table with differences (counts, how rows were matched, sample
 * keys), what exists on one side only, column notes, and the summary line last.
 *
 * @example
 * process.stdout.write(renderDiff(diff));
 * // orders [primary key id]: 2 deleted (e.g. id=17, id=18); 1 changed (e.g. id=3)
 * // 1 of 5 tables differ: 2 deleted, 0 added, 1 changed rows (customer_a1 against customer_a1_20240128143000)
 */
export function renderDiff(diff: SchemaDiff, options: RenderDiffOptions = {}): string {
  if (options.summaryOnly) return `${diffSummary(diff)}\n`;
  const lines = [
    ...diff.tables.filter(tableDiffers).map(tableLine),
    ...(diff.onlyInLive.length ? [`Tables only in live (not compared): ${diff.onlyInLive.join(', ')}`] : []),
    ...(diff.onlyInRestored.length ? [`Tables only in restored (not compared): ${diff.onlyInRestored.join(', ')}`] : []),
    ...diff.tables.flatMap(columnNotes),
    diffSummary(diff),
  ];
  return `${lines.join('\n')}\n`;
}
