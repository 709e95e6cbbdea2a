/**
 * The diff entry of the benchmark (issue 16: the diff of the tenant finishes within 2× a count(*) of
 * both schemas' tables): the tenant restored side by side in its own database, a few thousand rows
 * deleted, changed and added live, then `pg-schema-restore diff` (the compiled CLI) against one psql
 * session counting the rows of the same tables in both schemas.
 */
import { join } from 'node:path';
import { measured, Tool, ToolContext } from './tools';

/** The restored schema's suffix, and the database the tenant was loaded into. */
const SUFFIX = '_20261128';
const DATABASE = 'past';

/**
 * The changes made live since the "restore point", spread over the whole key range (every bucket of
 * the diff's first pass a few rows apart): at any scale 1,000 order items deleted, 1,000 changed and
 * 1,000 added, 400 orders and 100 users changed (then VACUUM ANALYZE, as autovacuum would).
 */
function changesSql(schema: string, scale: number): string {
  const s = `"${schema}"`;
  return `DELETE FROM ${s}.order_items WHERE order_id % ${200 * scale} = 7 AND line = 1;
UPDATE ${s}.order_items SET quantity = quantity + 1 WHERE order_id % ${200 * scale} = 11 AND line = 2;
INSERT INTO ${s}.order_items SELECT id, 4, 1, 1, 1.99 FROM ${s}.orders WHERE id % ${200 * scale} = 13;
UPDATE ${s}.orders SET note = 'changed' WHERE id % ${500 * scale} = 3;
UPDATE ${s}.users SET email = 'x' || email WHERE id % ${200 * scale} = 5`;
}

/** A node script: diffSchemas in two passes for the large tables, the counts printed. Arguments: the library, the two schemas. */
const BUCKETED = `const [lib, schema, against] = process.argv.slice(1);
require(lib).diffSchemas({ target: process.env.PGSR_TARGET, schema, against, bucketedFromRows: 100000 })
  .then((d) => console.log(d.tables.map((t) => t.table + ' ' + t.deleted + '/' + t.added + '/' + t.changed).join(', ')))
  .catch((e) => { console.error(e.message); process.exit(1); });`;

/** The last line of the diff's summary, e.g. "3 of 4 tables differ: 1000 deleted, 1000 added, 1500 changed rows (…)". */
let lastSummary = '';

/** The summary line of the fastest diff run, to print with the results. */
export const diffSummary = (): string => lastSummary;

/**
 * Prepare the side-by-side schema and the live changes (untimed, once), and return the two timed
 * tools: the diff and the count(*) it is measured against.
 */
export async function diffTools(ctx: ToolContext, scale: number): Promise<Tool[]> {
  const cli = join(__dirname, '..', 'lib', 'cli', 'main.js');
  const url = ctx.pg.url(DATABASE);
  const env = { ...process.env, PGSR_SOURCE: url, PGSR_TARGET: url };
  const restored = `${ctx.schema}${SUFFIX}`;
  measured('restore for the diff', process.execPath, [cli, 'restore', '--schema', ctx.schema, '--suffix', SUFFIX, '--jobs', String(ctx.jobs)], env);
  await ctx.sql(DATABASE, changesSql(ctx.schema, scale));
  await ctx.sql(DATABASE, `VACUUM ANALYZE "${ctx.schema}".order_items, "${ctx.schema}".orders, "${ctx.schema}".users`);
  const tables = ['users', 'products', 'orders', 'order_items'];
  const counts = [ctx.schema, restored].flatMap((schema) => tables.map((t) => `SELECT count(*) FROM "${schema}".${t};`)).join(' ');
  const diffName = `pg-schema-restore diff (${tables.length} tables)`;
  return [
    {
      name: diffName,
      prepare: async () => undefined,
      run: () => {
        const r = measured(diffName, process.execPath, [cli, 'diff', '--schema', ctx.schema, '--against', restored], env);
        lastSummary = r.stdout.trim().split('\n').pop() ?? '';
        return { tool: r.tool, seconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds };
      },
    },
    {
      // The same diff in two passes for the tables of 100,000 rows or more (bucket summaries, then the join of the differing buckets).
      name: 'diffSchemas({ bucketedFromRows: 100000 }) (library, compiled)',
      prepare: async () => undefined,
      run: () => measured('diffSchemas({ bucketedFromRows: 100000 }) (library, compiled)', process.execPath, ['-e', BUCKETED, join(__dirname, '..', 'lib', 'index.js'), ctx.schema, restored], env),
    },
    {
      name: `count(*) of the same ${tables.length} tables in both schemas (psql)`,
      prepare: async () => undefined,
      run: () => measured(`count(*) of the same ${tables.length} tables in both schemas (psql)`, ctx.pg.binaries.path('psql'),
        ['-X', '-q', '-d', DATABASE, '-c', counts], ctx.env),
    },
  ];
}
