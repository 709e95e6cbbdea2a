import { Command } from 'commander';
import { addBackupLocationOptions, parseBackupLocationArgs, RawBackupLocationArgs } from './backup-location-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { parseAtArg } from './source-arg';
import { BackupVerification, SchemaVerification, verifyBackup } from '../drill/verify-backup';
import { formatBytes } from '../format-units';

/** Options of `backup verify` as commander hands them over. */
interface RawVerifyArgs extends RawBackupLocationArgs {
  readonly at?: string;
  readonly restore?: boolean;
  readonly json?: boolean;
}

function mark(ok: boolean | undefined, what: string): string {
  return ok === undefined ? '' : `  ${what} ${ok ? 'ok' : 'FAILED'}`;
}

function schemaLines(s: SchemaVerification): string {
  const head = `  ${s.schema}  ${formatBytes(s.bytes)}${mark(s.archiveOk, 'sha256')}${mark(s.tocOk, 'contents')}${mark(s.restoredOk, 'restored')}`;
  return [head, ...s.problems.map((p) => `    - ${p}`)].join('\n');
}

/**
 * The result for people: the run, one line per schema (sha256 / contents / restored: ok or FAILED)
 * with its problems below, then a verdict.
 *
 * @example
 * deps.stdout.write(formatVerification(result));
 */
export function formatVerification(result: BackupVerification): string {
  const failed = result.schemas.filter((s) => s.problems.length > 0).length;
  const verdict = failed === 0
    ? `Verified: all ${result.schemas.length} archive(s) match the manifest${result.restored ? ' and restore to its checksums' : ''}.`
    : `FAILED: ${failed} of ${result.schemas.length} schema(s) have problems.`;
  return `Backup ${result.location} (database ${result.database}, snapshot ${result.snapshotAt})\n${result.schemas.map(schemaLines).join('\n')}\n${verdict}\n`;
}

async function runVerify(raw: RawVerifyArgs, deps: CliDeps): Promise<number> {
  const json = raw.json === true;
  let options;
  try {
    options = { ...parseBackupLocationArgs(raw), at: raw.at === undefined ? undefined : parseAtArg(raw.at), restore: raw.restore === true };
  } catch (err) {
    return reportFailure(err, deps, [], { json });
  }
  const display = json ? undefined : deps.createDisplay(deps.stderr);
  return withInterrupt(deps, async (signal) => {
    try {
      const result = await verifyBackup({ ...options, signal, onProgress: display?.onProgress });
      await display?.close();
      deps.stdout.write(json ? `${JSON.stringify(result)}\n` : formatVerification(result));
      return result.ok ? EXIT_CODES.ok : EXIT_CODES.failure;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, [], { json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}

/**
 * Register `backup verify --from <location> [--at <time>] [--restore] [--json]` under the `backup`
 * command: exit 0 when every archive of the backup checks out, 1 on any problem, 2 on bad usage.
 *
 * @example
 * addBackupVerifyCommand(backupCommand(program), deps, setExitCode);
 */
export function addBackupVerifyCommand(backup: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  addBackupLocationOptions(backup.command('verify')
    .description('check a backup: every archive\'s size and sha256 against the manifest and its table of contents; with --restore, ' +
      'restore each schema into a throwaway local server and compare it with the manifest\'s checksums'))
    .option('--at <time>', 'verify the newest backup at or before this ISO 8601 time (default: the newest)')
    .option('--restore', 'also restore each schema into a throwaway local server and compare row counts and checksums')
    .option('--json', 'print the result as one JSON object')
    .action(async (raw: RawVerifyArgs) => {
      setExitCode(await runVerify(raw, deps()));
    });
}
