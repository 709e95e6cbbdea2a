import { AbortedError } from '../errors';
import { CliDeps } from './cli-deps';
import { EXIT_CODES } from './cli-errors';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Run `work` with an AbortSignal that Ctrl-C (SIGINT) or SIGTERM aborts. The first signal only
 * aborts, so the restore can remove what it created; a second one leaves at once with 130.
 *
 * @example
 * const code = await withInterrupt(deps, (signal) => restore({ ...options, signal }).then(() => 0));
 */
export async function withInterrupt<T>(deps: Pick<CliDeps, 'signals' | 'stderr' | 'exit'>, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (!controller.signal.aborted) {
      controller.abort(new AbortedError());
      return;
    }
    deps.stderr.write('pg-schema-restore: interrupted again; leaving without waiting for the cleanup\n');
    deps.exit(EXIT_CODES.interrupted);
  };
  for (const signal of SIGNALS) deps.signals.on(signal, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const signal of SIGNALS) deps.signals.off(signal, onSignal);
  }
}
