import { AbortedError, SchemaRestoreError, ValidationError } from '../errors';
import { quoteQualified } from '../quote';
import { RestoreReport } from '../report';
import { CliDeps } from './cli-deps';
import { formatComparison, formatUntouched, TableComparison, UntouchedCheck } from './demo-report';
import {
  addRecentOrders, copyDatabaseAsPast, countOverwrittenEmails, damageSchema, fingerprintTables, IncidentDamage, TableFingerprint,
} from './demo-scenario';
import { formatRestoreSummary } from './restore-summary';
import { createSampleDatabases } from '../sample/create-sample-databases';
import { SAMPLE_SCHEMAS, SAMPLE_TABLES } from '../sample/sample-layout';

export interface DemoOptions {
  /** Users per sample schema. @default 1000 */
  readonly rows?: number;
  /** Aborts the demo (Ctrl-C); the throwaway server is removed either way. */
  readonly signal?: AbortSignal;
}

export type DemoDeps = Pick<CliDeps, 'restore' | 'stdout' | 'createDisplay' | 'startCluster'>;

/** What the demo found, for tests. */
export interface DemoResult {
  readonly report: RestoreReport;
  readonly damage: IncidentDamage;
  readonly comparison: TableComparison[];
  readonly overwrittenEmails: { readonly live: number; readonly restored: number };
  readonly untouched: UntouchedCheck[];
}

const LIVE = 'tenant_a';
const PAST = 'tenant_a_past';
const DAMAGED = 'customer_a1';

/**
 * The demo, entirely local: start a throwaway "production" server, create the sample tenants, keep a
 * copy of `tenant_a` as "the past", let business go on, damage `customer_a1`, restore it side by side
 * with `deps.restore`, then show live vs restored and prove every other schema untouched. Narrates
 * each step on `deps.stdout`; always stops the server, also on failure or abort.
 *
 * @example
 * await runDemo({ rows: 1000 }, processCliDeps({ restore: restoreSchema }));
 */
export async function runDemo(options: DemoOptions, deps: DemoDeps): Promise<DemoResult> {
  const rows = options.rows ?? 1000;
  const say = (text: string): void => {
    deps.stdout.write(`${text}\n`);
  };
  const checkpoint = (): void => {
    if (options.signal?.aborted) throw new AbortedError('demo interrupted; the throwaway server has been removed');
  };
  say('pg-schema-restore demo: everything runs on a throwaway local PostgreSQL server; nothing to configure.\n');
  say('1. Starting a throwaway "production" PostgreSQL server ...');
  const cluster = await deps.startCluster();
  try {
    say(`   PostgreSQL ${cluster.binaries.version} listening on ${cluster.host}:${cluster.port}`);
    checkpoint();
    const layout = Object.entries(SAMPLE_SCHEMAS).map(([db, schemas]) => `${db} (${schemas.join(', ')})`).join(' and ');
    say(`2. Creating one database per tenant, one schema per customer: ${layout}, ${rows} users per schema ...`);
    const urls = await createSampleDatabases(cluster, { rows });
    checkpoint();
    say(`3. Keeping a copy of ${LIVE} as it is now, named ${PAST}; it stands in for last night's backup ...`);
    const restorePoint = await copyDatabaseAsPast(cluster.url('postgres'), LIVE, PAST);
    say(`   the past is ${restorePoint.toISOString()}`);
    checkpoint();
    say(`4. Business goes on: 25 new orders in every schema of ${LIVE} ...`);
    await addRecentOrders(urls[LIVE], SAMPLE_SCHEMAS[LIVE], 25);
    say(`5. Incident: a faulty job deletes every third order of ${DAMAGED} and overwrites half of its users' e-mails ...`);
    const damage = await damageSchema(urls[LIVE], DAMAGED);
    say(`   ${damage.deletedOrders} orders (with their items) deleted, ${damage.overwrittenEmails} e-mails overwritten`);
    const watched = tenantSchemas(urls);
    const before = await fingerprintAll(watched);
    checkpoint();

    say(`6. Restoring ${DAMAGED} as it was in ${PAST} into the live ${LIVE}, next to the damaged one, under a new name ...`);
    const report = await restoreWithDisplay(deps, {
      source: cluster.url(PAST), target: urls[LIVE], schemas: [DAMAGED], signal: options.signal,
    });
    deps.stdout.write(formatRestoreSummary(report));
    const restored = report.schemas.find((s) => s.source === DAMAGED)?.restored;
    if (!restored) throw new SchemaRestoreError('DEMO_FAILED', `the restore report does not mention ${DAMAGED}`);

    say(`\n7. Live (damaged) vs restored, rows per table of ${DAMAGED}:`);
    const { comparison, overwrittenEmails } = await compareWithPast(cluster.url(PAST), urls[LIVE], restored);
    say(formatComparison(comparison, restored));
    say(`    users with an overwritten e-mail: ${overwrittenEmails.live} live, ${overwrittenEmails.restored} restored`);

    say('\n8. Nothing else was touched — every table of every tenant schema, compared before and after the restore:');
    const after = await fingerprintAll(watched);
    const untouched = watched.map((w, i) => ({
      database: w.database, schema: w.schema, tables: SAMPLE_TABLES.length, changedTables: changed(before[i], after[i]),
    }));
    say(formatUntouched(untouched));
    if (untouched.some((u) => u.changedTables.length)) {
      throw new ValidationError('the restore changed schemas it must not touch', untouched.flatMap((u) => u.changedTables.map((t) => `${u.schema}.${t}`)));
    }
    say(`\n9. Next, repair the live schema from the restored copy with ordinary SQL (enum columns cast through text), e.g.:\n${repairHint(restored)}`);
    return { report, damage, comparison, overwrittenEmails, untouched };
  } finally {
    say('\nStopping the throwaway server and removing its files.');
    await cluster.stop();
  }
}

interface WatchedSchema {
  readonly database: string;
  readonly schema: string;
  readonly url: string;
}

function tenantSchemas(urls: Record<string, string>): WatchedSchema[] {
  return Object.entries(SAMPLE_SCHEMAS).flatMap(([database, schemas]) => schemas.map((schema) => ({ database, schema, url: urls[database] })));
}

function fingerprintAll(schemas: readonly WatchedSchema[]): Promise<Array<Record<string, TableFingerprint>>> {
  return Promise.all(schemas.map((w) => fingerprintTables(w.url, w.schema, SAMPLE_TABLES)));
}

/** Rows per table at the restore point, live and restored; fails if the restored content differs from the past. */
async function compareWithPast(pastUrl: string, liveUrl: string, restored: string): Promise<Pick<DemoResult, 'comparison' | 'overwrittenEmails'>> {
  const past = await fingerprintTables(pastUrl, DAMAGED, SAMPLE_TABLES);
  const live = await fingerprintTables(liveUrl, DAMAGED, SAMPLE_TABLES);
  const copy = await fingerprintTables(liveUrl, restored, SAMPLE_TABLES);
  const differing = SAMPLE_TABLES.filter((t) => past[t].digest !== copy[t].digest);
  if (differing.length) throw new ValidationError(`restored tables differ from the past: ${differing.join(', ')}`, differing);
  return {
    comparison: SAMPLE_TABLES.map((table) => ({ table, past: past[table].rows, live: live[table].rows, restored: copy[table].rows })),
    overwrittenEmails: { live: await countOverwrittenEmails(liveUrl, DAMAGED), restored: await countOverwrittenEmails(liveUrl, restored) },
  };
}

async function restoreWithDisplay(deps: DemoDeps, options: Parameters<DemoDeps['restore']>[0]): Promise<RestoreReport> {
  const display = deps.createDisplay(deps.stdout);
  try {
    const report = await deps.restore({ ...options, onProgress: display.onProgress });
    await display.close();
    return report;
  } catch (err) {
    await display.close(err);
    throw err;
  }
}

function changed(before: Record<string, TableFingerprint>, after: Record<string, TableFingerprint>): string[] {
  return Object.keys(before).filter((t) => before[t].digest !== after[t]?.digest);
}

function repairHint(restored: string): string {
  const live = (name: string): string => quoteQualified(DAMAGED, name);
  const copy = (name: string): string => quoteQualified(restored, name);
  // The restored schema has its own copies of the enum types: enum columns go back through text.
  return [
    `    INSERT INTO ${live('orders')} (id, user_id, status, status_history, invoice_number, total, shipping, ordered_at, updated_at)`,
    `    SELECT id, user_id, status::text::${live('order_status')}, status_history::text::${live('order_status')}[],`,
    '           invoice_number, total, shipping, ordered_at, updated_at',
    `      FROM ${copy('orders')} r WHERE NOT EXISTS (SELECT FROM ${live('orders')} l WHERE l.id = r.id);`,
    `    INSERT INTO ${live('order_items')} OVERRIDING SYSTEM VALUE`,
    `    SELECT * FROM ${copy('order_items')} r WHERE NOT EXISTS (SELECT FROM ${live('order_items')} l WHERE l.id = r.id);`,
    `    UPDATE ${live('users')} u SET email = r.email FROM ${copy('users')} r WHERE r.id = u.id AND u.email <> r.email;`,
  ].join('\n');
}
