import { BuildScheduler } from './build-scheduler';
import { isStructural } from './create-staging';
import type { Definitions } from './extract-definitions';
import { planPostData } from './post-data-plan';
import { RestoreRun } from './restore-run';
import { SessionSlots } from '../copy/session-slots';
import { applyDdl } from '../ddl/apply-ddl';

/**
 * Plan the post-data of the staging schemas (foreign keys to live tables outside wait for
 * {@link addOutsideKeys}: only they lock something outside) and get its builds ready to start as
 * the copy loads each table. The builds and the copy workers share `jobs` target sessions, so with
 * the DDL session a restore holds at most `jobs + 1` on the target.
 *
 * @example
 * const builds = schedulePostData(run, definitions);
 * const copied = await copyData(run, plans, builds);
 * await buildPostData(run, builds);
 */
export function schedulePostData(run: RestoreRun, definitions: Definitions): BuildScheduler {
  const inside = definitions.staged.postData.filter((s) => isStructural(s) && !s.referencesOutside);
  const jobs = run.options.jobs ?? 4;
  const slots = new SessionSlots(jobs);
  const plan = planPostData(inside, { preData: definitions.staged.preData });
  return new BuildScheduler(plan, { target: run.options.target, slots, jobs, emit: run.emit, signal: run.signal });
}

/**
 * Step "post-data": wait for the indexes, keys, constraints and foreign keys still building (many
 * were built during the copy, up to `jobs` at once), then run the rest — triggers, rules, row-level
 * security, policies, comments, CLUSTER ON, replica identity — in dump order, in one transaction
 * on the DDL session. The staging schema is private until publish, so nothing here needs to be one
 * transaction: a failure drops the whole staging schema.
 *
 * @example
 * await buildPostData(run, builds);
 */
export async function buildPostData(run: RestoreRun, builds: BuildScheduler): Promise<void> {
  const { builds: planned, tail } = builds.plan;
  const jobs = run.options.jobs ?? 4;
  const rest = tail.filter((s) => s.kind !== 'setting').length;
  try {
    await run.step('post-data', `building ${planned.length - builds.built} more indexes and keys on up to ${jobs} sessions ` +
      `(${builds.built} done during the copy), then ${rest} triggers, rules, policies and other statements in order`, async () => {
      builds.loadedAll();
      await builds.finished();
      await applyDdl(run.target, tail);
    }, () => {
      const reads = planned.filter((b) => b.kind === 'checksum').length;
      return `${planned.length - reads} indexes and keys built${reads ? ` and ${reads} tables checksummed for validation` : ''}, then ${rest} statements in order`;
    });
  } catch (err) {
    await builds.halt();
    throw err;
  }
}
