import { Command, Option } from 'commander';
import { warnPasswordInArgv } from './argv-password-warning';
import { askPasswordsFirst } from './ask-passwords-first';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { withInterrupt } from './interrupt';
import { parseSwapArgs, RawSwapArgs, SwapCommandOptions } from './swap-args';
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

async function runSwapCommand(options: SwapCommandOptions, deps: CliDeps, targetInArgv: boolean): Promise<number> {
  const secrets = [options.swap.target];
  if (targetInArgv) warnPasswordInArgv([options.swap.target], deps);
  try {
    await askPasswordsFirst([['target', options.swap.target]], deps.passwordPrompt);
  } catch (err) {
    return reportFailure(err, deps, secrets, { json: options.json });
  }
  const display = options.json ? undefined : deps.createDisplay(deps.stderr);
  return withInterrupt(deps, async (signal) => {
    try {
      // Loaded here: --help and argument errors need no database library.
      const { swapSchemas } = await import('../swap/swap-schemas');
      const result = await swapSchemas({ ...options.swap, now: deps.now, signal, onProgress: display?.onProgress });
      await display?.close();
      deps.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatSwapSummary(result));
      return EXIT_CODES.ok;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, secrets, { json: options.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
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
    .addOption(new Option('--target <postgres-url>', 'the live database (a postgres:// URL or a libpq string such as "service=live")').env('PGSR_TARGET'))
    .option('--schema <name>', 'the live schema (exact, case-sensitive), e.g. customer_a1')
    .option('--with <name>', 'the schema that takes its place, e.g. the restored customer_a1_20240128143000; with --undo, the replaced schema to swap back ' +
      '(default: the one <schema>_replaced_<time>)')
    .option('--keep-as <name>', 'the name the schema that held the live name keeps (default: <schema>_replaced_<UTC YYYYMMDDHHMMSS>)')
    .option('--undo', 'swap back: the replaced schema takes the live name again')
    .option('--lock-timeout <duration>', 'longest wait for the locks on the tables of both schemas, retried a few times (e.g. 500ms, 2s; default 2s)')
    .option('--json', 'print the result as one JSON object')
    .action(async (raw: RawSwapArgs, command: Command) => {
      const cli = deps();
      let options: SwapCommandOptions;
      try {
        options = parseSwapArgs(raw);
      } catch (err) {
        setExitCode(reportFailure(err, cli, raw.target ? [raw.target] : [], { json: raw.json === true }));
        return;
      }
      setExitCode(await runSwapCommand(options, cli, command.getOptionValueSource('target') === 'cli'));
    });
}
