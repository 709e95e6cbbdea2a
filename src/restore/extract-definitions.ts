import { Client } from 'pg';
import { detachFromOutside } from '../ddl/detach-from-outside';
import { extensionsInPlace } from '../ddl/extension-objects';
import { extractDdl } from '../ddl/extract-ddl';
import { describeOutsideEffect } from '../ddl/outside-effects';
import { selectStatements } from '../ddl/select-statements';
import { splitDdl, SplitDdlResult } from '../ddl/split-ddl';
import { InvalidInputError } from '../errors';
import { RestoreRun, SchemaPlan } from './restore-run';

/** The schemas' DDL twice: renamed to the staging names (to build) and to the restored names (to publish). */
export interface Definitions {
  readonly staged: SplitDdlResult;
  readonly final: SplitDdlResult;
}

/**
 * Statements that would reach outside the restored schemas are refused with one line, unless
 * `detachOutside` is set: then the DDL is rewritten without them (see {@link detachFromOutside}).
 */
async function withoutOutsideEffects(
  ddl: string, split: SplitDdlResult, o: { detachOutside?: boolean; source: Client },
): Promise<{ ddl: string; warnings: string[] }> {
  const outside = [...split.preData, ...split.postData].filter((s) => s.outside);
  if (outside.length === 0) return { ddl, warnings: [] };
  if (!o.detachOutside) {
    const more = outside.length > 1 ? ` (${outside.length - 1} more statement${outside.length > 2 ? 's' : ''} reach outside too)` : '';
    throw new InvalidInputError(`${describeOutsideEffect(outside[0].outside!)}${more}; nothing was written. ` +
      'Pass --detach-outside (detachOutside: true) to restore without attaching to or altering anything outside: inheriting tables and partitions become standalone tables with the same columns', { code: 'OUTSIDE_OBJECT' });
  }
  return detachFromOutside(ddl, outside, o.source);
}

/**
 * Step "extract/rename": check that the extensions the schemas hold are in place in the target
 * (their objects are referenced, never renamed), read the schemas' definition with pg_dump inside
 * the snapshot, refuse (or with `detachOutside` rewrite) what would reach outside, and split and
 * rename it with PostgreSQL's parser. Writes nothing.
 *
 * @example
 * const definitions = await extractDefinitions(run, plans);
 */
export async function extractDefinitions(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<Definitions> {
  const { options, snapshot } = run;
  const schemas = plans.map((p) => p.source);
  const result = await run.step('extract-ddl', `reading the definition of ${schemas.join(', ')} with pg_dump`, async () => {
    const restored = plans.map((p) => p.restored);
    const extensions = await extensionsInPlace({ source: snapshot.client, target: run.target, schemas, restored });
    const dumped = await extractDdl({
      source: options.source,
      schemas,
      snapshotId: snapshot.id,
      noOwner: options.skipOwnership,
      noPrivileges: options.skipPrivileges,
      signal: run.signal,
    });
    // A table-level restore: the chosen tables' statements and what they need (see tableClosure).
    const keep = plans.find((p) => p.only)?.only?.keep;
    const selected = keep ? selectStatements(dumped, { keep, schemas }) : { ddl: dumped, warnings: [] };
    const extracted = selected.ddl;
    const common = { skipOwnership: options.skipOwnership, skipPrivileges: options.skipPrivileges, keep: extensions.keep };
    const split = (ddl: string, name: (p: SchemaPlan) => string) =>
      splitDdl(ddl, { rename: new Map(plans.map((p) => [p.source, name(p)])), ...common });
    const staged = await split(extracted, (p) => p.staging);
    const detached = await withoutOutsideEffects(extracted, staged, { detachOutside: options.detachOutside, source: snapshot.client });
    const ddl = detached.ddl;
    return {
      staged: ddl === extracted ? staged : await split(ddl, (p) => p.staging),
      final: await split(ddl, (p) => p.restored),
      warnings: [...selected.warnings, ...detached.warnings, ...extensions.warnings],
    };
  }, (r) => `${r.staged.preData.length + r.staged.postData.length} statements parsed and renamed`);
  run.warnings.push(...result.warnings, ...result.final.warnings);
  return { staged: result.staged, final: result.final };
}
