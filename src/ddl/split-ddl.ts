import { AstNode, nodeType } from './ast';
import { classifyStatement, DdlSection, DdlStatementKind, isTimeoutSetting } from './classify-statement';
import { isNotValidForeignKey, OutsideEffect, outsideEffect, outsideReferencedTable } from './outside-effects';
import type { KeptNames } from './rename-edits';
import { renameSchemasInSql, SchemaRenames, statementHead } from './rename-schemas';
import { routineSearchPathWarnings } from './routine-search-path';
import { roleReferences } from './schema-references';
import { parseStatements } from './sql-statements';
import { loadSqlParser } from './sql-tokens';
import { DdlError } from '../errors';

/** One DDL statement, renamed, with where and why it runs. */
export interface DdlStatement {
  /** Statement text without the trailing semicolon. */
  readonly sql: string;
  readonly section: DdlSection;
  readonly kind: DdlStatementKind;
  /** Parser node type, e.g. `CreateStmt`, `IndexStmt`. */
  readonly type: string;
  /** What the statement would do outside the restored schemas (see {@link outsideEffect}); then `original` holds its text before renaming. */
  readonly outside?: OutsideEffect;
  readonly original?: string;
  /** A foreign key to a table outside the restored schemas: that table, `schema.name`. */
  readonly referencesOutside?: string;
  /** The foreign key is NOT VALID at the source. */
  readonly notValid?: boolean;
}

export interface SplitDdlOptions {
  /** Schemas to rename: old name → new name. */
  readonly rename?: Record<string, string> | SchemaRenames;
  /**
   * References `'schema.name'` left unrenamed: objects that belong to an extension, which stays
   * where it is in the target (see `extensionsInPlace`). @default - every reference is renamed
   */
  readonly keep?: KeptNames;
  /** Drop ALTER ... OWNER TO statements. @default false */
  readonly skipOwnership?: boolean;
  /** Drop GRANT / REVOKE / ALTER DEFAULT PRIVILEGES statements. @default false */
  readonly skipPrivileges?: boolean;
  /**
   * The schemas being restored (source names): statements reaching outside them are marked
   * (`outside`, `referencesOutside`). @default the keys of `rename`
   */
  readonly inside?: readonly string[];
}

export interface SplitDdlResult {
  /** Statements to run before the data is copied (session settings included). */
  readonly preData: DdlStatement[];
  /** Statements to run after the data (session settings repeated first). */
  readonly postData: DdlStatement[];
  /** Roles named as owners, grantees or policy roles (after the skip options). */
  readonly roles: string[];
  /** References that could not be rewritten with certainty (e.g. inside PL/Python bodies), and routines that resolve names through the caller's search_path. */
  readonly warnings: string[];
}

function outsideMarks(tree: AstNode, sql: string, inside: ReadonlySet<string>): Partial<DdlStatement> {
  const outside = outsideEffect(tree, inside);
  if (outside) return { outside, original: sql };
  const referencesOutside = outsideReferencedTable(tree, inside);
  return referencesOutside ? { referencesOutside, notValid: isNotValidForeignKey(tree) } : {};
}

/**
 * Split pg_dump schema-only output into pre-data and post-data statements and rename schemas in
 * them, using PostgreSQL's own parser (libpg-query) — never regular expressions. Pure: text in,
 * statements out.
 *
 * @example
 * const ddl = await extractDdl({ source, schemas: ['customer_a1'] });
 * const { preData, postData } = await splitDdl(ddl, { rename: { customer_a1: 'customer_a1_20240128143000' } });
 */
export async function splitDdl(ddl: string, options: SplitDdlOptions = {}): Promise<SplitDdlResult> {
  await loadSqlParser();
  const renames: SchemaRenames = options.rename instanceof Map ? options.rename : new Map(Object.entries(options.rename ?? {}));
  const preData: DdlStatement[] = [];
  const postData: DdlStatement[] = [];
  const roles = new Set<string>();
  const warnings: string[] = [];
  const inside = new Set(options.inside ?? renames.keys());
  for (const statement of parseStatements(ddl)) {
    const { kind, section } = classifyStatement(statement.tree);
    if ((kind === 'ownership' && options.skipOwnership) || (kind === 'privilege' && options.skipPrivileges)) continue;
    // pg_dump's `SET lock_timeout = 0` & co. would override the live database's own guards.
    if (kind === 'setting' && isTimeoutSetting(statement.tree)) continue;
    if (kind === 'data') {
      warnings.push(`skipped a data statement (${statementHead(statement.sql)}); data is copied separately`);
      continue;
    }
    const [type] = nodeType(statement.tree);
    let renamed;
    try {
      renamed = renameSchemasInSql(statement.sql, renames, statementHead(statement.sql), options.keep);
    } catch (err) {
      if (err instanceof DdlError) throw err;
      throw new DdlError(`cannot rename schemas in: ${statementHead(statement.sql)}: ${(err as Error).message}`, { cause: err });
    }
    warnings.push(...renamed.warnings);
    if (kind === 'routine') warnings.push(...routineSearchPathWarnings(statement.sql, renames, options.keep));
    for (const role of roleReferences(statement.tree)) roles.add(role);
    const marks = inside.size > 0 ? outsideMarks(statement.tree, statement.sql, inside) : {};
    const out: DdlStatement = { sql: renamed.text, section, kind, type, ...marks };
    if (kind === 'setting') {
      preData.push(out);
      postData.push(out);
    } else {
      (section === 'pre-data' ? preData : postData).push(out);
    }
  }
  return { preData, postData, roles: [...roles].sort(), warnings };
}
