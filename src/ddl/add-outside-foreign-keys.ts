import { parseSync } from 'libpg-query';
import { Client } from 'pg';
import { nodeType } from './ast';
import { withLockRetry } from './lock-retry';
import { statementHead } from './rename-schemas';
import type { DdlStatement } from './split-ddl';
import { DdlError } from '../errors';
import { quoteIdent } from '../quote';
import type { Abortable } from '../run-options';

/** A foreign key to an outside table that is in place in the staging schema. */
export interface AddedForeignKey {
  /** The constrained table, quoted and qualified. */
  readonly table: string;
  readonly constraint: string;
  /** The referenced outside table, `schema.name`. */
  readonly references: string;
}

/** Options of {@link addOutsideForeignKeys}. */
export interface OutsideForeignKeysOptions extends Abortable {
  /** Target session prepared by `configureTargetSession`. */
  readonly client: Client;
  /** Post-data statements that add a foreign key to a table outside the restored schemas (`referencesOutside`). */
  readonly statements: readonly DdlStatement[];
  readonly lockTimeoutMs: number;
  /** Called as soon as a key is in place, so a later failure can remove it (see {@link dropOutsideForeignKeys}). */
  readonly onAdded?: (key: AddedForeignKey) => void;
}

function constrainedTable(sql: string): { table: string; constraint: string } {
  const [, node] = nodeType(parseSync(sql).stmts?.[0]?.stmt);
  const constraint = node.cmds?.[0]?.AlterTableCmd?.def?.Constraint?.conname;
  if (!node.relation?.relname || !constraint) throw new DdlError(`not a named foreign key: ${statementHead(sql)}`);
  const table = [node.relation.schemaname, node.relation.relname].filter(Boolean).map(quoteIdent).join('.');
  return { table, constraint };
}

/**
 * Add the foreign keys that reference tables outside the restored schemas, last and one at a time,
 * so no live table is locked for longer than a moment: each is added `NOT VALID` in its own
 * transaction (a brief SHARE ROW EXCLUSIVE lock on the referenced table), then validated in another
 * (SHARE UPDATE EXCLUSIVE on the staging table, ROW SHARE on the referenced one — writers go on).
 * Every lock waits at most the session's lock_timeout and is retried (see {@link withLockRetry}).
 * A key whose restored rows reference rows gone from the live table stays NOT VALID, with a warning.
 *
 * @example
 * const { warnings } = await addOutsideForeignKeys({ client: target, statements: outsideKeys, lockTimeoutMs: 2000 });
 */
export async function addOutsideForeignKeys(o: OutsideForeignKeysOptions): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  for (const s of o.statements) {
    const references = s.referencesOutside!;
    const { table, constraint } = constrainedTable(s.sql);
    const retry = { object: references, lockTimeoutMs: o.lockTimeoutMs, signal: o.signal };
    const add = s.notValid ? s.sql : `${s.sql} NOT VALID`;
    await withLockRetry(o.client, () => o.client.query(add).catch((err) => {
      throw (err as { code?: string }).code === '55P03' ? err : new DdlError(`the target rejected "${statementHead(add)}": ${(err as Error).message}`, { cause: err });
    }),
    { ...retry, mode: 'ShareRowExclusiveLock', action: `adding foreign key ${constraint} (to ${references})` });
    o.onAdded?.({ table, constraint, references });
    if (s.notValid) continue;
    const validate = `ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(constraint)}`;
    try {
      await withLockRetry(o.client, () => o.client.query(validate),
        { ...retry, mode: 'RowShareLock', action: `validating foreign key ${constraint} (to ${references})` });
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err;
      warnings.push(`foreign key ${constraint} of ${table} was left NOT VALID: restored rows reference rows of ${references} that the live table no longer has (${(err as Error).message}); ` +
        `repair them, then run ${validate}`);
    }
  }
  return { warnings };
}

/**
 * Remove foreign keys added by {@link addOutsideForeignKeys} (dropping one locks the referenced
 * live table ACCESS EXCLUSIVE for a moment, so each is dropped alone, under the lock timeout, with
 * retries) before the staging schema itself is dropped.
 */
export async function dropOutsideForeignKeys(client: Client, keys: readonly AddedForeignKey[], lockTimeoutMs: number): Promise<void> {
  for (const key of keys) {
    await withLockRetry(client, () => client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT IF EXISTS ${quoteIdent(key.constraint)}`),
      { object: key.references, mode: 'AccessExclusiveLock', action: `removing foreign key ${key.constraint}`, lockTimeoutMs });
  }
}
