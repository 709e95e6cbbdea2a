import { ClientBase } from 'pg';
import { describeOutsideEffect } from './outside-effects';
import { statementHead } from './rename-schemas';
import type { DdlStatement } from './split-ddl';
import { inheritedDefinition, standaloneTable } from './standalone-table';
import { quoteIdent } from '../quote';

/**
 * Rewrite pg_dump output so the restored schemas reach nothing outside: a table that inherits from
 * an outside parent becomes a standalone table with the same columns (and the CHECK constraints it
 * had from the parent), read from the source catalog; statements that would attach to, alter or act
 * beyond the schemas (ATTACH PARTITION to an outside parent, database-wide statements) are left
 * out. Returns the new DDL and one warning per change.
 *
 * @example
 * const { ddl: detached, warnings } = await detachFromOutside(ddl, split.staged.preData.filter((s) => s.outside), snapshot.client);
 */
export async function detachFromOutside(
  ddl: string, statements: readonly DdlStatement[], source: ClientBase,
): Promise<{ ddl: string; warnings: string[] }> {
  let out = ddl;
  const warnings: string[] = [];
  for (const s of statements) {
    const effect = s.outside!;
    const original = s.original ?? s.sql;
    let replacement = '';
    if (effect.kind === 'inherits' && effect.tableParts) {
      const [schema, table] = effect.tableParts;
      replacement = standaloneTable(original, await inheritedDefinition(source, schema, table));
      warnings.push(`${describeOutsideEffect(effect)}; it was restored as a standalone table with the same columns (--detach-outside)`);
    } else if (effect.kind === 'partition-of' && effect.tableParts) {
      warnings.push(`${describeOutsideEffect(effect)}; it was restored as a standalone table with the same columns, not attached (--detach-outside)`);
      // `CREATE TABLE … PARTITION OF` has no column list: write one; pg_dump's own CREATE TABLE + ATTACH PARTITION loses just the ATTACH.
      if (s.type === 'CreateStmt') {
        const [schema, table] = effect.tableParts;
        const def = await inheritedDefinition(source, schema, table);
        replacement = `CREATE TABLE ${quoteIdent(schema)}.${quoteIdent(table)} (${[...def.columns, ...def.checks].join(', ')})`;
      }
    } else {
      warnings.push(`${describeOutsideEffect(effect)}; left out (--detach-outside): ${statementHead(original)}`);
    }
    out = out.split(original).join(replacement);
  }
  return { ddl: out, warnings };
}
