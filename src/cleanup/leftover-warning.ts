import { findLocalLeftovers } from './local-leftovers';
import { DatabaseConnection, describeConnection } from '../connection';
import { ProgressListener } from '../progress';

/**
 * The command that removes what crashed restores left, for a target and temp dir.
 *
 * @example
 * localCleanupCommand({ target: url }); // "pg-schema-restore cleanup --local --target 'postgres://u:***@db/app' --yes"
 */
export function localCleanupCommand(o: { target?: DatabaseConnection; tempDir?: string }): string {
  const target = o.target === undefined ? '' : ` --target '${describeConnection(o.target)}'`;
  const tempDir = o.tempDir === undefined ? '' : ` --temp-dir '${o.tempDir}'`;
  return `pg-schema-restore cleanup --local${target}${tempDir} --yes`;
}

/**
 * Tell (a `log` event, level warn) about leftovers of dead restores in the target and the temp dir,
 * naming the command that removes them. Never fails the restore: looking is best-effort.
 *
 * @example
 * await warnAboutLeftovers({ target: options.target, tempDir: options.tempDir, emit });
 */
export async function warnAboutLeftovers(o: { target: DatabaseConnection; tempDir?: string; emit: ProgressListener }): Promise<void> {
  try {
    const found = await findLocalLeftovers({ target: o.target, tempDir: o.tempDir });
    const schemas = found.schemas.filter((s) => s.orphan).map((s) => `staging schema "${s.schema}"`);
    const dirs = found.directories.filter((d) => d.orphan).map((d) => `${d.kind === 'server' ? 'throwaway server' : 'dump work directory'} ${d.dir}`);
    const all = [...schemas, ...dirs];
    if (all.length === 0) return;
    o.emit({
      type: 'log',
      level: 'warn',
      message: `earlier restores that did not finish left ${all.length === 1 ? 'a leftover' : `${all.length} leftovers`}: ${all.join(', ')}; remove with: ${localCleanupCommand(o)}`,
    });
  } catch {
    // An unreachable target is reported by the restore itself, with its own message.
  }
}
