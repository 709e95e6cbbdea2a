import type { SchemaDiff } from '../compare/diff-result';
import { diffSchemas } from '../compare/diff-schemas';
import { diffSummary } from '../compare/render-diff';
import { SchemaRestoreError } from '../errors';
import { renderRepair } from '../repair/render-repair';
import type { RepairResult } from '../repair/repair-result';
import { repairRows } from '../repair/repair-rows';
import type { Abortable } from '../run-options';

/** What the demo's repair step did: the diff before, the repair, the diff after. */
export interface DemoRepair {
  readonly before: SchemaDiff;
  readonly repair: RepairResult;
  readonly after: SchemaDiff;
}

/** Options of {@link runDemoRepair}. */
export interface DemoRepairOptions extends Abortable {
  /** The tenant database holding both schemas. */
  readonly target: string;
  /** The damaged live schema. */
  readonly schema: string;
  /** The schema restored as of T next to it. */
  readonly restored: string;
  /** Prints one line of the story. */
  readonly say: (text: string) => void;
}

const indent = (text: string): string => text.trimEnd().split('\n').map((line) => `    ${line}`).join('\n');

/**
 * The demo's last step: diff the damaged schema against the one restored as of T, repair the
 * deleted rows back into live (`repair --deleted`), and diff again to show none is left deleted
 * (the overwritten e-mails are `changed` rows, left for `repair --changed`). Fails the demo
 * (`DEMO_FAILED`) if a deleted row is still missing afterwards.
 *
 * @example
 * const { repair } = await runDemoRepair({ target: url, schema: 'customer_a1', restored: 'customer_a1_20240128143000', say });
 */
export async function runDemoRepair(options: DemoRepairOptions): Promise<DemoRepair> {
  const { target, schema, restored, signal, say } = options;
  const before = await diffSchemas({ target, schema, against: restored, samples: 3, signal });
  say(`    pg-schema-restore diff --schema ${schema} --against ${restored}\n${indent(diffSummary(before))}`);
  const repair = await repairRows({ target, schema, from: restored, deleted: true, signal });
  say(`    pg-schema-restore repair --schema ${schema} --from ${restored} --deleted\n${indent(renderRepair(repair))}`);
  const after = await diffSchemas({ target, schema, against: restored, samples: 3, signal });
  const left = after.tables.reduce((n, t) => n + t.deleted, 0);
  say(`    pg-schema-restore diff again: ${left} deleted rows left; ${diffSummary(after)}`);
  if (left > 0) throw new SchemaRestoreError('DEMO_FAILED', `the repair left ${left} deleted rows in ${schema}`);
  return { before, repair, after };
}
