import { Command, CommanderError } from 'commander';
import { parseBackupArgs, RawBackupArgs } from './backup-args';
import { addBackupCheckCommand } from './backup-check-command';
import { runBackupCommand } from './backup-command';
import { backupCommand } from './backup-command-group';
import { addBackupCreateCommand } from './backup-command-options';
import { addBackupListCommand } from './backup-list-command';
import { addBackupPruneCommand } from './backup-prune-command';
import { addBackupVerifyCommand } from './backup-verify-command';
import { parseCleanupArgs, RawCleanupArgs } from './cleanup-args';
import { runCleanupCommand } from './cleanup-command';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, reportFailure } from './cli-errors';
import { runDemoCommand } from './demo-command';
import { addDiffCommand } from './diff-command';
import { addDrillCommand } from './drill-command';
import { InvalidInputError } from '../errors';
import { toolVersion } from '../tool-version';
import { addRepairCommand } from './repair-command';
import { parseRestoreArgs, RawRestoreArgs } from './restore-args';
import { CONNECTION_OPTIONS, runRestoreCommand } from './restore-command';
import { addRestoreOptions } from './restore-command-options';
import { addSwapCommand } from './swap-command';
import { verbosityFrom, VerbosityFlags, withVerbosity } from './verbosity';

const NAME = 'pg-schema-restore';


function buildProgram(deps: CliDeps, setExitCode: (code: number) => void): Command {
  // Global flags, read when a command runs (commander accepts them before or after the command).
  const atVerbosity = (): CliDeps => withVerbosity(deps, verbosityFrom(program.opts<VerbosityFlags>()));
  const program = new Command(NAME)
    .description('Restore tenant PostgreSQL schemas from a past copy, side by side, into the live database.')
    .version(toolVersion())
    .option('-q, --quiet', 'no progress lines on stderr; errors are still printed there')
    .option('-v, --verbose', 'also debug details on stderr, e.g. the stack of a failure (like DEBUG=pg-schema-restore)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: () => undefined, // every failure is reported as one line by runCli
    });

  addRestoreOptions(program.command('restore')
    .description('restore schemas from --source into --target under new names (customer_a1 → customer_a1_<suffix>)'))
    .action(async (raw: RawRestoreArgs, command: Command) => {
      // --source/--target may come from PGSR_SOURCE/PGSR_TARGET instead: only a command line is visible in ps.
      const inArgv = CONNECTION_OPTIONS.filter((o) => command.getOptionValueSource(o) === 'cli');
      setExitCode(await runRestoreCommand(parseRestoreArgs(raw), atVerbosity(), { connectionsInArgv: inArgv }));
    });

  addBackupCreateCommand(backupCommand(program)).action(async (raw: RawBackupArgs, command: Command) => {
    const sourceInArgv = command.getOptionValueSource('source') === 'cli';
    setExitCode(await runBackupCommand(parseBackupArgs(raw), atVerbosity(), { sourceInArgv }));
  });

  program.command('cleanup')
    .description('list (or with --yes delete) what restores left behind: cloud resources the ledger lists, with --orphans every expired tagged one, ' +
      'with --local staging schemas, throwaway servers and work directories of restores that were killed')
    .option('--orphans', 'sweep AWS for resources tagged pg-schema-restore:restore-id whose expires-at tag has passed')
    .option('--local', 'look for leftovers of killed or crashed restores: pgsr_* staging schemas in --target, throwaway servers and directories in --temp-dir')
    .option('--target <postgres-url>', 'with --local, the database to look for staging schemas in')
    .option('--temp-dir <dir>', 'with --local, where throwaway servers live (default: the system temp directory)')
    .option('--older-than <duration>', 'with --orphans, also resources created longer ago than this (e.g. 6h, 2d); with --local, restores started on other hosts ' +
      'count as gone after this (default: 24h)')
    .option('--ledger <file>', 'ledger file of the CLI\'s restores (default: $PGSR_LEDGER or ~/.pg-schema-restore/ledger.json)')
    .option('--yes', 'delete what was found (default: only list it)')
    .option('--json', 'print what was found as one JSON object')
    .action(async (raw: RawCleanupArgs) => {
      setExitCode(await runCleanupCommand(parseCleanupArgs(raw, deps.env), atVerbosity()));
    });

  addDrillCommand(program, atVerbosity, setExitCode);
  addSwapCommand(program, atVerbosity, setExitCode);
  addDiffCommand(program, atVerbosity, setExitCode);
  addRepairCommand(program, atVerbosity, setExitCode);

  program.command('demo')
    .description('restore a damaged tenant schema on a throwaway local PostgreSQL server; nothing to configure')
    .option('--rows <n>', 'users per sample schema (orders and items scale with it)', '1000')
    .action(async (raw: { rows: string }) => {
      setExitCode(await runDemoCommand(raw, atVerbosity()));
    });

  const backup = backupCommand(program);
  addBackupListCommand(backup, atVerbosity, setExitCode);
  addBackupCheckCommand(backup, atVerbosity, setExitCode);
  addBackupPruneCommand(backup, atVerbosity, setExitCode);
  addBackupVerifyCommand(backup, atVerbosity, setExitCode);
  return program;
}

function commanderFailure(err: CommanderError): string {
  if (err.code === 'commander.help') return `missing command: use "${NAME} restore ...", "${NAME} backup ...", "${NAME} drill ...", "${NAME} diff ...", "${NAME} repair ...", "${NAME} swap ...", "${NAME} cleanup" or "${NAME} demo"; see ${NAME} --help`;
  const message = err.message.replace(/^error:\s*/i, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return `${message}; see ${NAME} --help`;
}

/**
 * Run the pg-schema-restore command line and return the exit status (0 ok, 1 failed, 2 bad usage
 * or input, 130 interrupted). Like pg_dump: progress and errors go to stderr (one line per error;
 * `-q` silences progress, `-v` adds details); stdout gets only results — the summary, the `--json`
 * object (`{"error":{"code","message"}}` on failure), the `--dry-run` plan, `--help`, `--version`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processCliDeps({ restore: restoreSchema }));
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  // Commander keeps what it parsed, also when the command failed; a usage error may come first.
  const json = (): boolean => argv.includes('--json') || program.commands.some((c) => c.opts<{ json?: boolean }>().json === true);
  const failureDeps = (): CliDeps => {
    try {
      return withVerbosity(deps, verbosityFrom(program.opts<VerbosityFlags>()));
    } catch {
      return deps; // -q with -v: reported as such
    }
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT_CODES.ok; // --help, --version
      return reportFailure(new InvalidInputError(commanderFailure(err)), failureDeps(), argv, { json: json() });
    }
    return reportFailure(err, failureDeps(), argv, { json: json() });
  }
}
