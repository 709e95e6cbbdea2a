import { isStructural } from './create-staging';
import type { Definitions } from './extract-definitions';
import { RestoreRun } from './restore-run';
import { applyDdl } from '../ddl/apply-ddl';

/**
 * Step "post-data": indexes, keys, triggers, rules, row-level security and policies of the staging
 * schemas, after the data as pg_restore does, in one transaction on the DDL session. Foreign keys to
 * live tables outside wait for {@link addOutsideKeys}: only they lock something outside.
 *
 * @example
 * await buildPostData(run, definitions);
 */
export async function buildPostData(run: RestoreRun, definitions: Definitions): Promise<void> {
  const inside = definitions.staged.postData.filter((s) => isStructural(s) && !s.referencesOutside);
  await run.step('post-data', 'building indexes, keys, triggers and row-level security', () => applyDdl(run.target, inside));
}
