import { Command } from 'commander';
import { CliDeps } from './cli-deps';
import { parseRepairArgs, RawRepairArgs } from './repair-args';
import { repeatable } from './restore-command-options';
import { runTargetCommand, targetInArgv, targetOption } from './target-command';
import { renderRepair } from '../repair/render-repair';
import { repairRows } from '../repair/repair-rows';

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
    .addOption(targetOption('the database holding both schemas'))
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
      setExitCode(await runTargetCommand(deps(), {
        raw,
        targetInArgv: targetInArgv(command),
        parse: () => parseRepairArgs(raw),
        target: (o) => o.repair.target,
        run: (o, { signal }) => repairRows({ ...o.repair, signal }),
        format: (result) => renderRepair(result),
      }));
    });
}
