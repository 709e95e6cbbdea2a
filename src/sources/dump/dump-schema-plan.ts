import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveCorrupt } from './dump-archive-errors';
import { ArchiveToc } from './dump-archive-toc';
import { isLargeObjectEntry, tocListFor, TocSelection } from './dump-toc-selection';
import { DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import { AstNode, nodeType } from '../../ddl/ast';
import { roleReferences, schemaReferences } from '../../ddl/schema-references';
import { parseStatements } from '../../ddl/sql-statements';
import { loadSqlParser } from '../../ddl/sql-tokens';
import { DdlError, SchemaNotFoundError } from '../../errors';
import type { RunsPostgresPrograms } from '../../run-options';

/** What a restore of some schemas takes from an archive. */
export interface DumpSchemaPlan {
  /** The schemas asked for. */
  readonly requested: string[];
  /** Schemas the requested ones' DDL refers to (transitively), restored whole so foreign keys and types resolve. */
  readonly dependencies: string[];
  /** Schemas created empty because an extension is installed in them. */
  readonly emptySchemas: string[];
  /** Roles the restored DDL names as owners, grantees or policy roles. */
  readonly roles: string[];
  /** The `pg_restore -L` list that restores exactly this. */
  readonly list: string;
}

export interface PlanDumpSchemasOptions extends RunsPostgresPrograms {
  /** Directory for the list files pg_restore reads. */
  readonly workDir: string;
  /** Restore the archive's large objects too (restored rows may refer to them). @default false */
  readonly largeObjects?: boolean;
}

/**
 * Fail with {@link SchemaNotFoundError} (naming a few schemas the archive does hold) when a
 * requested schema is not in the archive.
 *
 * @example
 * checkSchemasInArchive(['customer_a1'], toc.schemas, archive.location.display);
 */
export function checkSchemasInArchive(requested: readonly string[], available: readonly string[], where: string): void {
  const missing = requested.find((s) => !available.includes(s));
  if (missing === undefined) return;
  const shown = available.slice(0, 5).join(', ') + (available.length > 5 ? ` and ${available.length - 5} more` : '');
  throw new SchemaNotFoundError(missing, `pg_dump archive ${where} (it holds ${shown || 'no schemas'})`);
}

/** The schema a `CREATE EXTENSION ... WITH SCHEMA s` statement installs into. */
function extensionSchema(tree: AstNode): string | undefined {
  const [type, node] = nodeType(tree);
  if (type !== 'CreateExtensionStmt') return undefined;
  const option = (node.options ?? []).find((o: AstNode) => o.DefElem?.defname === 'schema');
  return option?.DefElem?.arg?.String?.sval;
}

/**
 * Decide what to restore from an archive for some schemas: the schemas, every schema their DDL
 * refers to (found by PostgreSQL's parser in `pg_restore --schema-only` output, applied until
 * nothing new turns up), the schemas extensions live in, the large objects when asked for, and the
 * roles all that DDL (and the large objects' owners and grants) names.
 *
 * @example
 * const plan = await planDumpSchemas(archive, toc, ['customer_a1'], { binaries, workDir });
 * plan.dependencies; // ['public'] (public.countries, public.citext)
 */
export async function planDumpSchemas(
  archive: DumpArchive, toc: ArchiveToc, requested: readonly string[], options: PlanDumpSchemasOptions,
): Promise<DumpSchemaPlan> {
  checkSchemasInArchive(requested, toc.schemas, archive.location.display);
  await loadSqlParser();
  const listFile = join(options.workDir, 'schema-only.list');
  const definitions = async (list: string, schemaOnly = true) => {
    writeFileSync(listFile, list);
    const { stdout } = await runPgRestore(archive, [...schemaOnly ? ['--schema-only'] : [], '-L', listFile, '-f', '-'], { ...options, tocOnly: true });
    return parseStatements(stdout);
  };
  const schemaOnlyDdl = (selection: TocSelection) => definitions(tocListFor(toc, selection));
  const largeObjects = (options.largeObjects ?? false) && toc.entries.some(isLargeObjectEntry);
  const schemas = new Set(requested);
  for (;;) {
    const statements = await schemaOnlyDdl({ schemas });
    const referenced = new Set(statements.flatMap((s) => [...schemaReferences(s.tree)]));
    const added = toc.schemas.filter((s) => referenced.has(s) && !schemas.has(s));
    for (const s of added) schemas.add(s);
    // The added schemas' DDL may refer further still.
    if (added.length > 0) continue;
    const emptySchemas = new Set(statements.map((s) => extensionSchema(s.tree))
      .filter((s): s is string => s !== undefined && toc.schemas.includes(s) && !schemas.has(s)));
    const roles = new Set(statements.flatMap((s) => [...roleReferences(s.tree)]));
    if (emptySchemas.size > 0) {
      // Their CREATE SCHEMA / OWNER / GRANT name roles too, but must not pull the schemas' contents in.
      for (const s of await schemaOnlyDdl({ schemas: new Set(), emptySchemas })) for (const role of roleReferences(s.tree)) roles.add(role);
    }
    if (largeObjects) {
      // Until PostgreSQL 17 large objects count as data: their owners and grantees show only without --schema-only.
      const metadata = toc.entries.map((e) => (isLargeObjectEntry(e) && e.desc !== 'BLOBS' && e.desc !== 'BLOB DATA' ? e.line : `;${e.line}`));
      for (const s of await definitions(metadata.join('\n') + '\n', false)) for (const role of roleReferences(s.tree)) roles.add(role);
    }
    return {
      requested: [...requested],
      dependencies: [...schemas].filter((s) => !requested.includes(s)).sort(),
      emptySchemas: [...emptySchemas].sort(),
      roles: [...roles].sort(),
      list: tocListFor(toc, { schemas, emptySchemas, largeObjects }),
    };
  }
}

/**
 * The roles a plain SQL dump's DDL names (owners, grantees, policy roles), found by PostgreSQL's
 * parser. DDL that does not parse gives `ARCHIVE_CORRUPT`.
 *
 * @example
 * const roles = await rolesInPlainDump(scan.ddl, '/backups/tenant_a.sql');
 */
export async function rolesInPlainDump(ddl: string, where: string): Promise<string[]> {
  await loadSqlParser();
  try {
    return [...new Set(parseStatements(ddl).flatMap((s) => [...roleReferences(s.tree)]))].sort();
  } catch (err) {
    if (err instanceof DdlError) throw archiveCorrupt(`${where} does not parse as SQL (${err.message.replace(/; pass pg_dump.*$/, '')})`, err);
    throw err;
  }
}
