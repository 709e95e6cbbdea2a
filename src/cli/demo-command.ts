import { InvalidInputError } from '../errors';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure } from './cli-errors';
import { runDemo } from './demo';
import { withInterrupt } from './interrupt';

/**
 * Run `pg-schema-restore demo`: check `--rows`, run the demo with Ctrl-C wired to its AbortSignal,
 * and return the exit status (one stderr line on failure, as for `restore`).
 *
 * @example
 * const code = await runDemoCommand({ rows: '1000' }, processCliDeps({ restore: restoreSchema }));
 */
export async function runDemoCommand(raw: { readonly rows?: string }, deps: CliDeps): Promise<number> {
  const rows = raw.rows === undefined ? undefined : Number(raw.rows);
  if (rows !== undefined && (!/^\s*\d+\s*$/.test(raw.rows ?? '') || !Number.isSafeInteger(rows) || rows < 1)) {
    return reportFailure(new InvalidInputError(`--rows must be a positive integer (got "${raw.rows}"), e.g. --rows 1000`), deps, []);
  }
  return withInterrupt(deps, async (signal) => {
    try {
      await runDemo({ rows, signal }, deps);
      return EXIT_CODES.ok;
    } catch (err) {
      return reportFailure(err, deps, [], { exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}
