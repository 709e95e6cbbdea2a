import { tmpdir } from 'node:os';
import { CleanupCommandOptions } from './cleanup-args';
import { localCleanup } from './cleanup-local';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { Ledger } from '../aws/ledger';
import { cleanupResources } from '../cleanup/cleanup-resources';
import { fileLedgerStore } from '../cleanup/file-ledger-store';
import { sweepOrphans } from '../cleanup/orphans';

/** One leftover as the command lists it. */
interface Listed {
  readonly kind: string;
  readonly id: string;
  readonly restoreId: string;
  readonly note: string;
  readonly orphan?: boolean;
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
  const onProgress = options.json ? undefined : deps.createDisplay(deps.stderr).onProgress;
  await cleanupResources(new Ledger(store, 'cli-cleanup'), { allRestores: true, signal, onProgress });
  return { rows, deleted: true };
}

async function local(options: CleanupCommandOptions, deps: CliDeps): Promise<{ rows: Listed[]; deleted: boolean; failures: string[] }> {
  // What --yes removes is listed on stdout as part of the result (test/cleanup relies on an empty stderr); -q drops it.
  const result = await localCleanup(options, { onProgress: options.json || deps.verbosity === 'quiet' ? undefined : (m) => deps.stdout.write(`${m}\n`) });
  for (const failure of result.failures) deps.stderr.write(`pg-schema-restore: ${failure}\n`);
  return result;
}

function footerLine(rows: readonly Listed[], deleted: boolean, failures?: readonly string[]): string {
  // Leftovers of restores still running are listed, never removed.
  const removable = rows.filter((r) => r.orphan !== false).length;
  if (failures?.length) return `Removed ${removable - failures.length} of ${removable}; see the errors above.`;
  if (deleted) return `Deleted ${removable} resource${removable === 1 ? '' : 's'}.`;
  return removable === 0 ? 'Nothing to remove: what is listed belongs to restores still running.' : 'Dry run: nothing was deleted; run again with --yes to delete them.';
}

function headingLine(options: CleanupCommandOptions): string {
  if (options.local) return `Left by restores that did not finish (staging schemas${options.target ? ' in the target' : ': none looked for without --target'}; servers and work directories in ${options.tempDir ?? tmpdir()})`;
  return options.orphans ? 'Resources left by crashed restores (tagged pg-schema-restore:restore-id)' : `Resources in the ledger ${options.ledgerPath}`;
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
      const { rows, deleted, failures }: { rows: Listed[]; deleted: boolean; failures?: string[] } = options.local ? await local(options, deps)
        : options.orphans ? await orphans(options, signal) : await fromLedger(options, deps, signal);
      if (options.json) {
        deps.stdout.write(`${JSON.stringify({ resources: rows, deleted })}\n`);
      } else {
        deps.stdout.write(render(rows, headingLine(options), footerLine(rows, deleted, failures)));
      }
      return failures?.length ? EXIT_CODES.failure : EXIT_CODES.ok;
    } catch (err) {
      return reportFailure(err, deps, [], { json: options.json });
    }
  });
}
