import { randomBytes } from 'node:crypto';
import { warnPasswordInArgv } from './argv-password-warning';
import { askPasswordsFirst } from './ask-passwords-first';
import { defaultLedgerPath } from './cleanup-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, reportFailure } from './cli-errors';
import { formatPlan } from './plan-summary';
import { RestoreCommandOptions } from './restore-args';
import { formatRestoreSummary } from './restore-summary';
import { runAndPrint } from './run-and-print';
import { Ledger } from '../aws/ledger';
import { fileLedgerStore } from '../cleanup/file-ledger-store';
import { RestoreSchemaOptions } from '../restore-options';

/** The options that name a database, and may carry its password. */
export const CONNECTION_OPTIONS = ['source', 'target'] as const;

/** Where the connection options came from. */
export interface RestoreCommandOrigin {
  /** The connection options given on the command line (the others came from PGSR_SOURCE/PGSR_TARGET). @default both */
  readonly connectionsInArgv?: ReadonlyArray<typeof CONNECTION_OPTIONS[number]>;
}

/**
 * Run `pg-schema-restore restore`: call the restore with a progress display on stderr (none with
 * `--json`), print the report on stdout as one JSON object or a human summary, and turn failures
 * into one stderr line (and with `--json` an `{"error":…}` line on stdout).
 * Ctrl-C aborts the restore, waits for its cleanup and returns 130. With `--dry-run`, prints the
 * plan instead and creates nothing.
 *
 * @example
 * const code = await runRestoreCommand(parseRestoreArgs(rawOptions), processCliDeps({ restore: restoreSchema }));
 */
export async function runRestoreCommand(options: RestoreCommandOptions, deps: CliDeps, from: RestoreCommandOrigin = {}): Promise<number> {
  const source = options.restore.source;
  const secrets = [typeof source === 'string' ? source : '', options.restore.target];
  const connections = { source, target: options.restore.target };
  warnPasswordInArgv((from.connectionsInArgv ?? CONNECTION_OPTIONS).map((o) => connections[o]), deps);
  try {
    await askPasswordsFirst([['source', source], ['target', options.restore.target]], deps.passwordPrompt);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json });
  }
  if (options.dryRun) return printPlan(options, deps, secrets);
  const restore = { ...options.restore, ...cloudLedger(options, deps) };
  return runAndPrint(deps, {
    json: options.json,
    secrets,
    progress: true,
    run: ({ signal, onProgress }) => deps.restore({ ...restore, onProgress, signal }),
    format: formatRestoreSummary,
  });
}

/**
 * A restore from a cloud source writes what it creates into the CLI's ledger file the moment it
 * exists, so `pg-schema-restore cleanup --yes` can remove it even after a crash.
 */
function cloudLedger(options: RestoreCommandOptions, deps: CliDeps): Pick<RestoreSchemaOptions, 'ledger' | 'restoreId'> {
  const source = options.restore.source;
  if (typeof source === 'string' || source.kind !== 'rds') return {};
  const restoreId = options.restore.restoreId ?? randomBytes(8).toString('hex');
  return { restoreId, ledger: new Ledger(fileLedgerStore(options.ledgerPath ?? defaultLedgerPath(deps.env)), restoreId) };
}

/** `--dry-run`: print the plan (JSON with `--json`) and create nothing. */
async function printPlan(options: RestoreCommandOptions, deps: CliDeps, secrets: string[]): Promise<number> {
  try {
    const plan = await deps.plan(options.restore);
    deps.stdout.write(options.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
    return EXIT_CODES.ok;
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json });
  }
}
