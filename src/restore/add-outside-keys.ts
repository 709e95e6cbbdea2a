import { addOutsideForeignKeys } from '../ddl/add-outside-foreign-keys';
import { applyDdl } from '../ddl/apply-ddl';
import { quoteIdent } from '../quote';
import type { Definitions } from './extract-definitions';
import { RestoreRun, SchemaPlan } from './restore-run';

/**
 * Step "outside keys": the foreign keys that reference live tables outside the restored schemas,
 * last and one at a time, `NOT VALID` then validated, each under the lock timeout with retries
 * (see {@link addOutsideForeignKeys}). Each key is written down in `run.made` as it is added, so a
 * later failure removes it.
 *
 * @example
 * await addOutsideKeys(run, plans, definitions);
 */
export async function addOutsideKeys(run: RestoreRun, plans: readonly SchemaPlan[], definitions: Definitions): Promise<void> {
  const keys = definitions.staged.postData.filter((s) => s.referencesOutside);
  if (keys.length === 0) return;
  const lockTimeoutMs = run.made.lockTimeoutMs!;
  await applyDdl(run.target, definitions.staged.postData.filter((s) => s.kind === 'setting'), { transaction: false });
  const added = await run.step('outside-keys',
    `adding ${keys.length} foreign key${keys.length > 1 ? 's' : ''} to live tables outside the schema, one at a time (lock timeout ${lockTimeoutMs} ms)`,
    () => addOutsideForeignKeys({ client: run.target, statements: keys, lockTimeoutMs, signal: run.signal, onAdded: (k) => run.made.keys.push(k) }));
  // The keys were added under the staging names; the user will know the tables by their restored names.
  run.warnings.push(...added.warnings.map((w) => plans.reduce((t, p) => t.split(quoteIdent(p.staging)).join(quoteIdent(p.restored)), w)));
}
