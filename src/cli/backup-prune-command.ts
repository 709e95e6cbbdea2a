import { Command } from 'commander';
import { alignColumns } from './align-columns';
import { backupCells } from './backup-list-command';
import { addBackupLocationOptions, parseBackupLocationArgs, RawBackupLocationArgs } from './backup-location-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES } from './cli-errors';
import { withInterrupt } from './interrupt';
import { summarizeRun } from '../backups/list-backups';
import { RetentionPolicy } from '../backups/plan-prune';
import { pruneBackups, PruneBackupsResult } from '../backups/prune-backups';
import { InvalidInputError } from '../errors';
import { formatBytes } from '../format-units';

/** `backup prune`'s options as commander hands them over. */
export interface RawBackupPruneArgs extends RawBackupLocationArgs {
  readonly keepLast?: string;
  readonly keepDaily?: string;
  readonly keepWeekly?: string;
  readonly keepMonthly?: string;
  readonly keepYearly?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const KEEP_OPTIONS = [['keepLast', '--keep-last'], ['keepDaily', '--keep-daily'], ['keepWeekly', '--keep-weekly'],
  ['keepMonthly', '--keep-monthly'], ['keepYearly', '--keep-yearly']] as const;

function parseCount(value: string, option: string): number {
  if (value.trim().toLowerCase() === 'unlimited') return Infinity;
  if (!/^\s*\d+\s*$/.test(value)) throw new InvalidInputError(`${option} must be a whole number of backups or "unlimited" (got "${value}"), e.g. ${option} 7`);
  return Number(value);
}

/**
 * The retention policy of `backup prune`'s `--keep-*` options; at least one must keep something.
 *
 * @example
 * parseKeepArgs({ keepDaily: '7', keepWeekly: '5' }); // { keepDaily: 7, keepWeekly: 5 }
 */
export function parseKeepArgs(raw: RawBackupPruneArgs): RetentionPolicy {
  const policy: Record<string, number> = {};
  for (const [key, option] of KEEP_OPTIONS) if (raw[key] !== undefined) policy[key] = parseCount(raw[key], option);
  if (!Object.values(policy).some((n) => n > 0)) {
    throw new InvalidInputError('say what to keep: at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly above 0, ' +
      'e.g. --keep-daily 7 --keep-weekly 5 --keep-monthly 12');
  }
  return policy;
}

function render(result: PruneBackupsResult, dryRun: boolean, from: string): string {
  if (result.decisions.length === 0) return `No backups under ${from}: nothing to prune.\n`;
  const rows = result.decisions.map((d) => [d.action, ...backupCells(summarizeRun(d.run)), d.reasons.join(', ')]);
  const doomed = result.decisions.filter((d) => d.action === 'delete');
  const bytes = formatBytes(doomed.reduce((n, d) => n + d.run.bytes, 0));
  const footer = doomed.length === 0 ? 'Nothing to delete.'
    : dryRun ? `Dry run: would delete ${doomed.length} backup${doomed.length === 1 ? '' : 's'} (${bytes}); nothing was deleted.`
      : `Deleted ${result.deletedRuns} backup${result.deletedRuns === 1 ? '' : 's'} (${formatBytes(result.deletedBytes)}).`;
  return `${alignColumns(rows).join('\n')}\n${footer}\n`;
}

/**
 * Run `pg-schema-restore backup prune`: apply a grandfather-father-son retention policy (restic's
 * `forget --keep-*` rules) to the backups at `--from`, printing every backup with `keep` or `delete`
 * and why; `--dry-run` deletes nothing.
 *
 * @example
 * const code = await runBackupPruneCommand({ from: '/var/backups/pgsr', keepDaily: '7', keepWeekly: '5', dryRun: true }, deps);
 */
export async function runBackupPruneCommand(raw: RawBackupPruneArgs, deps: CliDeps): Promise<number> {
  const location = parseBackupLocationArgs(raw);
  const policy = parseKeepArgs(raw);
  return withInterrupt(deps, async (signal) => {
    const result = await pruneBackups({ ...location, s3: { ...location.s3, signal }, ...policy, dryRun: raw.dryRun === true, now: deps.now() });
    if (raw.json) {
      const decisions = result.decisions.map((d) => ({ action: d.action, reasons: d.reasons, ...summarizeRun(d.run) }));
      deps.stdout.write(`${JSON.stringify({ ...result, dryRun: raw.dryRun === true, decisions })}\n`);
    } else {
      deps.stdout.write(render(result, raw.dryRun === true, location.from));
    }
    return EXIT_CODES.ok;
  });
}

/**
 * Register `backup prune` under the `backup` command.
 *
 * @example
 * addBackupPruneCommand(backupCommand(program), () => deps, (code) => (exitCode = code));
 */
export function addBackupPruneCommand(backup: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  addBackupLocationOptions(backup.command('prune')
    .description('delete the backups a retention policy does not keep (restic forget --keep-* rules, UTC; a count is a whole number or "unlimited"); ' +
      'never the newest complete one'))
    .option('--keep-last <n>', 'keep the newest n backups')
    .option('--keep-daily <n>', 'keep the newest backup of each of the last n days that have one')
    .option('--keep-weekly <n>', 'keep the newest backup of each of the last n ISO weeks that have one')
    .option('--keep-monthly <n>', 'keep the newest backup of each of the last n months that have one')
    .option('--keep-yearly <n>', 'keep the newest backup of each of the last n years that have one')
    .option('--dry-run', 'print what would be kept and deleted; delete nothing')
    .option('--json', 'print the decisions as one JSON object on stdout')
    .action(async (raw: RawBackupPruneArgs) => {
      setExitCode(await runBackupPruneCommand(raw, deps()));
    });
}
