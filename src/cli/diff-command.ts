import { Command } from 'commander';
import { CliDeps } from './cli-deps';
import { parseDiffArgs, RawDiffArgs } from './diff-args';
import { repeatable } from './restore-command-options';
import { runTargetCommand, targetInArgv, targetOption } from './target-command';
import { diffSchemas } from '../compare/diff-schemas';
import { renderDiff } from '../compare/render-diff';

/**
 * Register `diff --target <url> --schema <live> --against <restored> [--table T]... [--samples N]
 * [--lock-timeout 2s] [--json]`: per table, the rows deleted, added and changed since the restore
 * point. Exit 0 with or without differences, 2 on bad input, 1 when the diff failed.
 *
 * @example
 * addDiffCommand(program, deps, setExitCode);
 */
export function addDiffCommand(program: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  program.command('diff')
    .description('compare a live schema with a schema restored from its past, inside the database (read-only): per table the rows ' +
      'deleted, added and changed since, with sample keys; tables and columns on one side only')
    .addOption(targetOption('the database holding both schemas'))
    .option('--schema <live>', 'the live schema, e.g. customer_a1')
    .option('--against <restored>', 'the schema restored from it, e.g. customer_a1_20240128143000')
    .option('--table <name>', 'compare only this table (exact name); repeat for several (default: every table both schemas have)', repeatable)
    .option('--samples <n>', 'sample keys per table and kind of difference (default: 5)')
    .option('--lock-timeout <duration>', 'how long to wait for the read locks per try before retrying (e.g. 500ms, 2s; default: 2s)')
    .option('--json', 'print the diff as one JSON object')
    .action(async (raw: RawDiffArgs, command: Command) => {
      const cli = deps();
      setExitCode(await runTargetCommand(cli, {
        raw,
        targetInArgv: targetInArgv(command),
        parse: () => parseDiffArgs(raw),
        target: (o) => o.diff.target,
        run: (o, { signal }) => diffSchemas({ ...o.diff, signal }),
        format: (diff) => renderDiff(diff, { summaryOnly: cli.verbosity === 'quiet' }),
      }));
    });
}
