import { Command } from 'commander';
import { addBackupLocationOptions, parseBackupLocationArgs, RawBackupLocationArgs } from './backup-location-args';
import { parseByteSize } from './byte-size-arg';
import { parseDuration } from './cleanup-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES } from './cli-errors';
import { checkBackups, CheckBackupsResult } from '../backups/check-backups';
import { formatAge } from '../backups/format-age';
import { InvalidInputError } from '../errors';
import { formatBytes, formatInstant } from '../format-units';

/** `backup check`'s options as commander hands them over. */
export interface RawBackupCheckArgs extends RawBackupLocationArgs {
  readonly maxAge?: string;
  readonly minSize?: string;
  readonly json?: boolean;
}

function parseMinSize(value: string): number {
  try {
    return parseByteSize(value, '--min-size');
  } catch {
    throw new InvalidInputError(`--min-size must be a size such as 500MB or 1GB (bytes, or kB, MB, GB, TB), got "${value}"`);
  }
}

/**
 * `backup check`'s verdict for people: an `ok: …` line per database, or a `problem: …` line per problem.
 *
 * @example
 * deps.stdout.write(formatBackupCheck(await checkBackups({ from, maxAgeMs }), new Date()));
 */
export function formatBackupCheck(result: CheckBackupsResult, now: Date): string {
  if (!result.ok) return result.problems.map((p) => `problem: ${p}\n`).join('');
  return result.databases.map(({ database, newest }) =>
    `ok: ${database}: newest backup ${formatAge(now.getTime() - newest.takenAt.getTime())} old (${formatInstant(newest.takenAt)}, ${formatBytes(newest.bytes)})\n`).join('');
}

/**
 * Run `pg-schema-restore backup check`, the daily health check: exit 0 when every database's newest
 * complete backup is younger than `--max-age`, at least `--min-size`, and not much smaller than the
 * ones before it; else exit 1 with one `problem: …` line per problem on stdout (`--json`: the result
 * object).
 *
 * @example
 * const code = await runBackupCheckCommand({ from: 's3://backups/nightly/', maxAge: '25h' }, deps);
 */
export async function runBackupCheckCommand(raw: RawBackupCheckArgs, deps: CliDeps): Promise<number> {
  const location = parseBackupLocationArgs(raw);
  if (raw.maxAge === undefined) throw new InvalidInputError('--max-age <duration> is required: how old the newest backup may be, e.g. --max-age 25h for a nightly backup');
  const maxAgeMs = parseDuration(raw.maxAge, '--max-age');
  const minBytes = raw.minSize === undefined ? undefined : parseMinSize(raw.minSize);
  const now = deps.now();
  const result = await checkBackups({ ...location, maxAgeMs, ...(minBytes !== undefined ? { minBytes } : {}), now });
  deps.stdout.write(raw.json ? `${JSON.stringify(result)}\n` : formatBackupCheck(result, now));
  return result.ok ? EXIT_CODES.ok : EXIT_CODES.failure;
}

/**
 * Register `backup check` under the `backup` command.
 *
 * @example
 * addBackupCheckCommand(backupCommand(program), () => deps, (code) => (exitCode = code));
 */
export function addBackupCheckCommand(backup: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  addBackupLocationOptions(backup.command('check')
    .description('exit 1 when the newest complete backup is older than --max-age, smaller than --min-size, or much smaller than the ones before it'))
    .option('--max-age <duration>', 'how old the newest complete backup may be (e.g. 25h, 90m, 2d)')
    .option('--min-size <bytes>', 'the least size of the newest complete backup (e.g. 500MB, 1GB)')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (raw: RawBackupCheckArgs) => {
      setExitCode(await runBackupCheckCommand(raw, deps()));
    });
}
