import { Command } from 'commander';
import { CliDeps } from './cli-deps';
import { parseSwapArgs, RawSwapArgs } from './swap-args';
import { runTargetCommand, targetInArgv, targetOption } from './target-command';
import type { SwapResult } from '../swap/swap-schemas';

/** The human summary of a swap, on stdout. */
export function formatSwapSummary(result: SwapResult): string {
  const lines = [
    `${result.undo ? 'Swapped back' : 'Swapped'}: "${result.with}" is now "${result.schema}"; the previous "${result.schema}" is kept as "${result.keptAs}".`,
    result.routines.length === 0 ? 'No routine named a swapped schema.'
      : `Rewrote ${result.routines.length} routine${result.routines.length === 1 ? '' : 's'} to name their own schema: ${result.routines.join(', ')}.`,
    ...result.warnings.map((w) => `warning: ${w}`),
    result.undo ? `To swap again: pg-schema-restore swap --schema ${result.schema} --undo`
      : `To undo: pg-schema-restore swap --schema ${result.schema} --undo`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Register `swap --target <url> --schema <live> --with <restored> [--keep-as <name>] [--undo]
 * [--lock-timeout 2s] [--json]`: exit 0 when swapped, 1 when it failed (e.g. locks held), 2 on bad
 * input.
 *
 * @example
 * addSwapCommand(program, deps, setExitCode);
 */
export function addSwapCommand(program: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  program.command('swap')
    .description('put a restored schema in the live one\'s place in one short transaction: the live schema is kept as <schema>_replaced_<UTC time>; ' +
      '--undo swaps back')
    .addOption(targetOption('the live database (a postgres:// URL or a libpq string such as "service=live")'))
    .option('--schema <name>', 'the live schema (exact, case-sensitive), e.g. customer_a1')
    .option('--with <name>', 'the schema that takes its place, e.g. the restored customer_a1_20240128143000; with --undo, the replaced schema to swap back ' +
      '(default: the one <schema>_replaced_<time>)')
    .option('--keep-as <name>', 'the name the schema that held the live name keeps (default: <schema>_replaced_<UTC YYYYMMDDHHMMSS>)')
    .option('--undo', 'swap back: the replaced schema takes the live name again')
    .option('--lock-timeout <duration>', 'longest wait for the locks on the tables of both schemas, retried a few times (e.g. 500ms, 2s; default 2s)')
    .option('--json', 'print the result as one JSON object')
    .action(async (raw: RawSwapArgs, command: Command) => {
      const cli = deps();
      setExitCode(await runTargetCommand(cli, {
        raw,
        targetInArgv: targetInArgv(command),
        progress: true,
        parse: () => parseSwapArgs(raw),
        target: (o) => o.swap.target,
        run: async (o, { signal, onProgress }) => {
          // Loaded here: --help and argument errors need no database library.
          const { swapSchemas } = await import('../swap/swap-schemas');
          return swapSchemas({ ...o.swap, now: cli.now, signal, onProgress });
        },
        format: formatSwapSummary,
      }));
    });
}
