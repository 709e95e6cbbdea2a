import { warnPasswordInArgv } from './argv-password-warning';
import { askPasswordsFirst } from './ask-passwords-first';
import { BackupCommandOptions } from './backup-args';
import { checkBackupDestination } from './backup-destination';
import { formatBackupSummary } from './backup-summary';
import { BackupFunction, CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';

/** Where the `backup` command's `--source` came from. */
export interface BackupCommandOrigin {
  /** `--source` was on the command line (not PGSR_SOURCE), where ps shows it. @default true */
  readonly sourceInArgv?: boolean;
}

/** `backupDatabase`, loaded on first use: `--help` and argument errors need no database library. */
const backupDatabase: BackupFunction = async (options) => (await import('../backups/backup-database')).backupDatabase(options);

/**
 * Run `pg-schema-restore backup`: check that a local `--to` can be written (before connecting), ask
 * a password the server wants, back up with a progress display on stderr (none with `--json`), and
 * print a summary, or with `--json` one `{"location","manifest"}` object, on stdout. A failure is one
 * stderr line (and with `--json` an `{"error":…}` line on stdout) and exit 1; a `--to` that cannot be
 * written is found before anything starts and exits 2. Ctrl-C aborts: the run's partial objects are
 * removed, then 130.
 *
 * @example
 * const code = await runBackupCommand(parseBackupArgs(rawOptions), processCliDeps({ restore: restoreSchema }));
 */
export async function runBackupCommand(options: BackupCommandOptions, deps: CliDeps, from: BackupCommandOrigin = {}): Promise<number> {
  const { source } = options.backup;
  const secrets = [source];
  warnPasswordInArgv(from.sourceInArgv === false ? [] : [source], deps);
  try {
    await checkBackupDestination(options.backup.to);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json, exitCode: EXIT_CODES.usage });
  }
  try {
    await askPasswordsFirst([['source', source]], deps.passwordPrompt);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json });
  }
  const display = options.json ? undefined : deps.createDisplay(deps.stderr);
  const backup = deps.backup ?? backupDatabase;
  return withInterrupt(deps, async (signal) => {
    try {
      const result = await backup({ ...options.backup, onProgress: display?.onProgress, signal });
      await display?.close();
      deps.stdout.write(options.json ? `${JSON.stringify({ location: result.location, manifest: result.manifest, warnings: result.warnings })}\n` : formatBackupSummary(result));
      return EXIT_CODES.ok;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, secrets, { json: options.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}
