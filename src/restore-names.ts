import { Client } from 'pg';
import { checkJobs } from './copy/migrate-schemas';
import { checkSplitThreshold } from './copy/split-table';
import { chosenTables } from './ddl/chosen-tables';
import { InvalidInputError } from './errors';
import { MAX_IDENTIFIER_BYTES } from './quote';
import { RestoreSchemaOptions } from './restore-options';

/** `_YYYYMMDDHHMMSS` of a time in UTC: the reference design's suffix. */
export function timestampSuffix(at: Date): string {
  return `_${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

/** Check the options of a restore that need no server: schemas named once, jobs, split threshold, suffix. */
export function checkRestoreOptions(options: Pick<RestoreSchemaOptions, 'schemas' | 'tables' | 'jobs' | 'suffix' | 'splitTablesLargerThan'>): void {
  if (!options.schemas?.length) throw new InvalidInputError('no schema to restore; name at least one (--schema <name>)');
  chosenTables(options);
  const dup = options.schemas.find((s, i) => options.schemas.indexOf(s) !== i);
  if (dup !== undefined) throw new InvalidInputError(`schema "${dup}" is named twice; name each schema once`);
  if (options.jobs !== undefined) checkJobs(options.jobs);
  if (options.splitTablesLargerThan !== undefined) checkSplitThreshold(options.splitTablesLargerThan);
  if (options.suffix !== undefined && options.suffix.length === 0) throw new InvalidInputError('suffix is empty; give a suffix such as _restored or leave it out for the snapshot time');
}

/** The restored name of each schema (`S` + suffix), refused when over PostgreSQL's identifier limit. */
export function restoredNames(schemas: string[], suffix: string): string[] {
  return schemas.map((s) => {
    const name = `${s}${suffix}`;
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_IDENTIFIER_BYTES) {
      throw new InvalidInputError(`restored name "${name}" is ${bytes} bytes, over PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte limit; choose a shorter --suffix`);
    }
    return name;
  });
}

/** Which of the names are schemas of the connected database. */
export async function existingSchemas(client: Client, names: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])', [names]);
  return new Set(rows.map((r) => r.nspname));
}
