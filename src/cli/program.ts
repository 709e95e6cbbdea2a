import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseCleanupArgs, RawCleanupArgs } from './cleanup-args';
import { runCleanupCommand } from './cleanup-command';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, reportFailure } from './cli-errors';
import { runDemoCommand } from './demo-command';
import { InvalidInputError } from '../errors';
import { parseRestoreArgs, RawRestoreArgs } from './restore-args';
import { runRestoreCommand } from './restore-command';
import { verbosityFrom, VerbosityFlags, withVerbosity } from './verbosity';

const NAME = 'pg-schema-restore';

function packageVersion(): string {
  try {
    // Same relative path from src/cli (ts-node) and lib/cli (compiled).
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function buildProgram(deps: CliDeps, setExitCode: (code: number) => void): Command {
  // Global flags, read when a command runs (commander accepts them before or after the command).
  const atVerbosity = (): CliDeps => withVerbosity(deps, verbosityFrom(program.opts<VerbosityFlags>()));
  const program = new Command(NAME)
    .description('Restore tenant PostgreSQL schemas from a past copy, side by side, into the live database.')
    .version(packageVersion())
    .option('-q, --quiet', 'no progress lines on stderr; errors are still printed there')
    .option('-v, --verbose', 'also debug details on stderr, e.g. the stack of a failure (like DEBUG=pg-schema-restore)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: () => undefined, // every failure is reported as one line by runCli
    });

  program.command('restore')
    .description('restore schemas from --source into --target under new names (customer_a1 → customer_a1_<suffix>)')
    .option('--source <source>', 'the past: a database (a postgres:// URL or a libpq string such as "service=past" or "host=… dbname=…"), a pg_dump archive (path, s3://bucket/key, or s3://bucket/prefix/ for the newest), ' +
      'pitr:<base-backup-dir>?wal=<wal-archive-dir>, or rds:<instance-or-cluster-id>')
    .option('--at <time>', 'with a pitr: or rds: source, the moment to recover to (ISO 8601 with zone, e.g. 2024-01-28T14:30:00Z)')
    .option('--snapshot <id>', 'with an rds: source, restore this DB (cluster) snapshot instead of a time')
    .option('--latest', 'with an rds: source, restore the latest restorable time')
    .option('--secret <arn-or-name>', 'with an rds: source, the Secrets Manager secret with the login (the version current at the restore point is used)')
    .option('--subnet-group <name>', 'with an rds: source, DB subnet group of the temporary database (default: the source\'s)')
    .option('--security-group <id>', 'with an rds: source, VPC security group of the temporary database (default: the source\'s); repeat for several',
      (v: string, all: string[] = []) => [...all, v])
    .option('--instance-class <class>', 'with an rds: source, class of the temporary instance (default: the source\'s)')
    .option('--reset-master-password', 'with an rds: source, when no version of --secret logs in, set a new master password on the temporary database (never the source)')
    .option('--ledger <file>', 'with an rds: source, where created AWS resources are written down (default: $PGSR_LEDGER or ~/.pg-schema-restore/ledger.json)')
    .option('--source-database <name>', 'database to read in a recovered cluster (default: the --target database name)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// archives (default: AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--target <postgres-url>', 'live database to restore into (a postgres:// URL or a libpq string such as "service=live"); nothing existing is changed')
    .option('--schema <name>', 'schema to restore (exact, case-sensitive); repeat for several', (v: string, all: string[] = []) => [...all, v])
    .option('--suffix <text>', 'appended to each schema name (default: _YYYYMMDDHHMMSS of the source snapshot, UTC)')
    .option('--jobs <n>', 'tables copied in parallel (default: 4)')
    .option('--lock-timeout <duration>', 'longest wait for a lock on a live object outside the schema (e.g. a foreign key to a shared table), retried a few times, then the sessions in the way are named (default: 2s; a shorter lock_timeout of the database wins)')
    .option('--detach-outside', 'restore tables that inherit from or are partitions of tables outside the schema as standalone tables, and leave out statements on outside objects (default: refuse)')
    .option('--json', 'print the report as one JSON object on stdout, and nothing else')
    .option('--no-owner', 'leave object owners out; objects belong to the restoring user')
    .option('--no-privileges', 'leave GRANT/REVOKE out')
    .option('--no-validate', 'skip comparing row counts and checksums with the source')
    .option('--no-large-objects', 'leave out the large objects that oid/lo columns refer to (the rows keep OIDs that point nowhere; a warning names the columns)')
    .option('--engine <copy|dms>', 'how data moves: copy (streaming COPY, default) or dms (AWS DMS full load; needs the --dms-* options)')
    .option('--dms-subnet-group <id>', 'with --engine dms, replication subnet group to create the replication instance in')
    .option('--dms-instance <arn>', 'with --engine dms, use this replication instance instead of creating one')
    .option('--dms-instance-class <class>', 'with --engine dms, class of the created replication instance (default: dms.t3.medium)')
    .option('--dms-security-group <id>', 'with --engine dms, VPC security group of the replication instance; repeat for several', (v: string, all: string[] = []) => [...all, v])
    .option('--dms-role <arn>', 'with --engine dms, IAM role DMS reads the endpoint secrets with')
    .option('--dms-target-secret <arn>', 'with --engine dms, secret with the target\'s host, port, username and password')
    .option('--dms-source-secret <arn>', 'with --engine dms, secret of the source (default: the temporary secret of an rds: source)')
    .option('--dry-run', 'print the plan (source, restore point, restored names, tables, steps) and create nothing')
    .action(async (raw: RawRestoreArgs) => {
      setExitCode(await runRestoreCommand(parseRestoreArgs(raw), atVerbosity()));
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

  program.command('demo')
    .description('restore a damaged tenant schema on a throwaway local PostgreSQL server; nothing to configure')
    .option('--rows <n>', 'users per sample schema (orders and items scale with it)', '1000')
    .action(async (raw: { rows: string }) => {
      setExitCode(await runDemoCommand(raw, atVerbosity()));
    });
  return program;
}

function commanderFailure(err: CommanderError): string {
  if (err.code === 'commander.help') return `missing command: use "${NAME} restore ...", "${NAME} cleanup" or "${NAME} demo"; see ${NAME} --help`;
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
