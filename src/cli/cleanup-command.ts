import { CleanupCommandOptions } from './cleanup-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { cleanupResources } from '../cleanup/cleanup-resources';
import { fileLedgerStore } from '../cleanup/file-ledger-store';
import { Ledger } from '../cleanup/ledger';
import { sweepOrphans } from '../cleanup/orphans';

/** One leftover as the command lists it. */
interface Listed {
  readonly kind: string;
  readonly id: string;
  readonly restoreId: string;
  readonly note: string;
}

function render(rows: readonly Listed[], heading: string, footer: string): string {
  if (rows.length === 0) return `${heading}: nothing found.\n`;
  const width = Math.max(...rows.map((r) => r.kind.length));
  const lines = rows.map((r) => `  ${r.kind.padEnd(width)}  ${r.id}  (restore ${r.restoreId}, ${r.note})`);
  return `${heading}:\n${lines.join('\n')}\n${footer}\n`;
}

async function fromLedger(options: CleanupCommandOptions, deps: CliDeps, signal: AbortSignal): Promise<{ rows: Listed[]; deleted: boolean }> {
  const store = fileLedgerStore(options.ledgerPath);
  const rows = (await store.load()).map((e) => ({ kind: e.kind, id: e.id, restoreId: e.restoreId, note: `created ${e.createdAt}` }));
  if (!options.yes || rows.length === 0) return { rows, deleted: false };
  const onProgress = options.json ? undefined : deps.createDisplay(deps.stdout).onProgress;
  await cleanupResources(new Ledger(store, 'cli-cleanup'), { allRestores: true, signal, onProgress });
  return { rows, deleted: true };
}

async function orphans(options: CleanupCommandOptions, signal: AbortSignal): Promise<{ rows: Listed[]; deleted: boolean }> {
  const result = await sweepOrphans({ dryRun: !options.yes, olderThanMs: options.olderThanMs, signal });
  const rows = result.orphans.map((o) => ({ kind: o.kind, id: o.id, restoreId: o.restoreId, note: o.reason }));
  return { rows, deleted: options.yes && rows.length > 0 };
}

/**
 * Run `pg-schema-restore cleanup`: list (default) or delete (`--yes`) the cloud resources that
 * restores left behind — those the local ledger still lists, or with `--orphans` every resource
 * tagged by pg-schema-restore whose `expires-at` has passed (or older than `--older-than`).
 *
 * @example
 * const code = await runCleanupCommand(parseCleanupArgs({ orphans: true, olderThan: '6h' }, process.env), deps);
 */
export async function runCleanupCommand(options: CleanupCommandOptions, deps: CliDeps): Promise<number> {
  return withInterrupt(deps, async (signal) => {
    try {
      const { rows, deleted } = options.orphans ? await orphans(options, signal) : await fromLedger(options, deps, signal);
      if (options.json) {
        deps.stdout.write(`${JSON.stringify({ resources: rows, deleted })}\n`);
      } else {
        const heading = options.orphans ? 'Resources left by crashed restores (tagged pg-schema-restore:restore-id)' : `Resources in the ledger ${options.ledgerPath}`;
        const footer = deleted ? `Deleted ${rows.length} resource${rows.length === 1 ? '' : 's'}.` : 'Dry run: nothing was deleted; run again with --yes to delete them.';
        deps.stdout.write(render(rows, heading, footer));
      }
      return EXIT_CODES.ok;
    } catch (err) {
      return reportFailure(err, deps, []);
    }
  });
}
