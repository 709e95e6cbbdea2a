import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveToc } from './dump-archive-toc';
import { loadDumpArchive, LoadDumpArchiveOptions } from './load-dump-archive';
import { DumpArchive } from './open-dump-archive';
import { runPgRestore } from './run-pg-restore';
import { foreignKeyEdges, tablesWithData, withoutTableData } from './table-data-selection';
import { connect } from '../../connection';
import { parseStatements } from '../../ddl/sql-statements';
import { loadSqlParser } from '../../ddl/sql-tokens';
import { ChosenTable, tableClosure } from '../../ddl/table-closure';

/** Options of {@link loadChosenTables}: those of {@link loadDumpArchive}, and what the table-level restore chose. */
export interface LoadChosenTablesOptions extends Omit<LoadDumpArchiveOptions, 'list' | 'sections'> {
  /** The `pg_restore -L` list of everything the restore would load whole. */
  readonly list: string;
  readonly toc: ArchiveToc;
  /** The tables named (with `schema` among `schemas`). */
  readonly chosen: readonly ChosenTable[];
  /** The requested schemas in this archive: only their table data is narrowed; other schemas (dependencies) load whole. */
  readonly schemas: readonly string[];
}

/** The foreign keys the list's post-data adds, from the archive's definitions (its table of contents: no table data is read). */
async function listedForeignKeys(archive: DumpArchive, list: string, options: LoadChosenTablesOptions) {
  const listFile = join(options.workDir, 'post-data.list');
  writeFileSync(listFile, list);
  const { stdout } = await runPgRestore(archive, ['--section=post-data', '-L', listFile, '-f', '-'], { ...options, tocOnly: true });
  await loadSqlParser();
  return foreignKeyEdges(parseStatements(stdout));
}

/**
 * Load an archive for a table-level restore, reading only the rows it needs: the definitions first
 * (`--section=pre-data`), then the chosen tables' closure from the loaded catalog (as the restore
 * computes it), then the data and post-data sections with the TABLE DATA entries of every other
 * table of `schemas` left out. Tables their foreign keys reference come along (pg_restore validates
 * each key). Returns the tables whose rows were not loaded, `schema.table`.
 *
 * @example
 * const skipped = await loadChosenTables(archive, { binaries, database, workDir, list: plan.list, toc, chosen, schemas: ['customer_a1'] });
 */
export async function loadChosenTables(archive: DumpArchive, options: LoadChosenTablesOptions): Promise<string[]> {
  await loadDumpArchive(archive, { ...options, sections: ['pre-data'] });
  const client = await connect(options.database, 'temporary');
  const closure = await tableClosure(client, { chosen: options.chosen, schemas: options.schemas, where: archive.location.display })
    .finally(() => client.end().catch(() => undefined));
  const relations = [...closure.relations].flatMap(([schema, names]) => [...names].map((table) => ({ schema, table })));
  const keep = tablesWithData(relations, await listedForeignKeys(archive, options.list, options));
  const { list, skipped } = withoutTableData(options.list, options.toc, options.schemas, keep);
  await loadDumpArchive(archive, { ...options, list, sections: ['data', 'post-data'] });
  return skipped;
}
