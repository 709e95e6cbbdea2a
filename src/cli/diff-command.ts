import { Command, Option } from 'commander';
import { warnPasswordInArgv } from './argv-password-warning';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { parseDiffArgs, RawDiffArgs } from './diff-args';
import { withInterrupt } from './interrupt';
import { repeatable } from './restore-command-options';
import { diffSchemas } from '../compare/diff-schemas';
import { renderDiff } from '../compare/render-diff';

async function runDiffCommand(raw: RawDiffArgs, deps: CliDeps, targetInArgv: boolean): Promise<number> {
  const secrets = raw.target ? [raw.target] : [];
  let options: ReturnType<typeof parseDiffArgs>;
  try {
    options = parseDiffArgs(raw);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: raw.json === true });
  }
  warnPasswordInArgv(targetInArgv ? [options.diff.target] : [], deps);
  return withInterrupt(deps, async (signal) => {
    try {
      const diff = await diffSchemas({ ...options.diff, signal });
      deps.stdout.write(options.json ? `${JSON.stringify(diff)}\n` : renderDiff(diff, { summaryOnly: deps.verbosity === 'quiet' }));
      return EXIT_CODES.ok;
    } catch (err) {
      return reportFailure(err, deps, secrets, { json: options.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}

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
    .addOption(new Option('--target <postgres-url>', 'the database holding both schemas').env('PGSR_TARGET'))
    .option('--schema <live>', 'the live schema, e.g. customer_a1')
    .option('--against <restored>', 'the schema restored from it, e.g. customer_a1_20240128143000')
    .option('--table <name>', 'compare only this table (exact name); repeat for several (default: every table both schemas have)', repeatable)
    .option('--samples <n>', 'sample keys per table and kind of difference (default: 5)')
    .option('--lock-timeout <duration>', 'how long to wait for the read locks per try before retrying (e.g. 500ms, 2s; default: 2s)')
    .option('--json', 'print the diff as one JSON object')
    .action(async (raw: RawDiffArgs, command: Command) => {
      setExitCode(await runDiffCommand(raw, deps(), command.getOptionValueSource('target') === 'cli'));
    });
}
