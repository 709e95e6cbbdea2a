import { Command, Option } from 'commander';
import { warnPasswordInArgv } from './argv-password-warning';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { parseRepairArgs, RawRepairArgs } from './repair-args';
import { repeatable } from './restore-command-options';
import { renderRepair } from '../repair/render-repair';
import { repairRows } from '../repair/repair-rows';

async function runRepairCommand(raw: RawRepairArgs, deps: CliDeps, targetInArgv: boolean): Promise<number> {
  const secrets = raw.target ? [raw.target] : [];
  let options: ReturnType<typeof parseRepairArgs>;
  try {
    options = parseRepairArgs(raw);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: raw.json === true });
  }
  warnPasswordInArgv(targetInArgv ? [options.repair.target] : [], deps);
  return withInterrupt(deps, async (signal) => {
    try {
      const result = await repairRows({ ...options.repair, signal });
      deps.stdout.write(options.json ? `${JSON.stringify(result)}\n` : renderRepair(result));
      return EXIT_CODES.ok;
    } catch (err) {
      return reportFailure(err, deps, secrets, { json: options.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}

/**
 * Register `repair --target <url> --schema <live> --from <restored> [--table T]... [--deleted]
 * [--changed] [--added] [--where <sql on the key>] [--no-triggers] [--dry-run] [--lock-timeout 2s]
 * [--json]`: put rows back from the restored schema, in one verified transaction. Exit 0 when
 * repaired (or planned), 2 on bad input, 1 when the repair failed and was rolled back.
 *
 * @example
 * addRepairCommand(program, deps, setExitCode);
 */
export function addRepairCommand(program: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  program.command('repair')
    .description('put rows back from a schema restored from the past into the live one, in one transaction verified by a diff: ' +
      're-insert deleted rows, put changed rows back, delete added rows')
    .addOption(new Option('--target <postgres-url>', 'the database holding both schemas').env('PGSR_TARGET'))
    .option('--schema <live>', 'the live schema to repair, e.g. customer_a1')
    .option('--from <restored>', 'the schema restored from it, e.g. customer_a1_20240128143000')
    .option('--table <name>', 'repair only this table (exact name); repeat for several (default: every table both schemas have)', repeatable)
    .option('--deleted', 're-insert rows that exist only in the restored schema')
    .option('--changed', 'put rows with the same key back to their restored values')
    .option('--added', 'delete rows that exist only in live')
    .option('--where <sql>', 'only rows whose key satisfies this condition (key columns and constants), e.g. "id BETWEEN 100 AND 200"')
    .option('--no-triggers', 'do not fire the live tables\' triggers (needs a superuser; also skips foreign-key checks)')
    .option('--dry-run', 'write nothing: print the counts per table and the statements it would run')
    .option('--lock-timeout <duration>', 'how long to wait for the locks per try before retrying (e.g. 500ms, 2s; default: 2s)')
    .option('--json', 'print the result as one JSON object')
    .action(async (raw: RawRepairArgs, command: Command) => {
      setExitCode(await runRepairCommand(raw, deps(), command.getOptionValueSource('target') === 'cli'));
    });
}
