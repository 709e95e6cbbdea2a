import { parseLockTimeoutArg } from './lock-timeout-arg';
import { checkTargetUrl } from './restore-args';
import { InvalidInputError } from '../errors';
import type { SwapSchemasOptions } from '../swap/swap-schemas';

/** Options of `swap` as commander hands them over. */
export interface RawSwapArgs {
  readonly target?: string;
  readonly schema?: string;
  readonly with?: string;
  readonly keepAs?: string;
  readonly undo?: boolean;
  readonly lockTimeout?: string;
  readonly json?: boolean;
}

/** A checked `swap` command: what to pass to `swapSchemas`, and how to print the outcome. */
export interface SwapCommandOptions {
  readonly swap: Omit<SwapSchemasOptions, 'signal' | 'onProgress' | 'now'> & { readonly target: string };
  readonly json: boolean;
}

function nonEmpty(value: string | undefined, option: string): string | undefined {
  if (value !== undefined && value.length === 0) throw new InvalidInputError(`${option} must not be empty; pass the exact (case-sensitive) schema name`);
  return value;
}

/**
 * Check `swap`'s options: `--target`, `--schema`, and `--with` unless `--undo` (which finds the
 * replaced schema itself); names are checked against the database by `swapSchemas`.
 *
 * @example
 * parseSwapArgs({ target: 'postgres://app@db/tenants', schema: 'customer_a1', with: 'customer_a1_20240128143000' });
 */
export function parseSwapArgs(raw: RawSwapArgs): SwapCommandOptions {
  const target = checkTargetUrl(raw.target);
  const schema = nonEmpty(raw.schema, '--schema');
  if (schema === undefined) throw new InvalidInputError('missing --schema <name>: the live schema, e.g. --schema customer_a1');
  const withSchema = nonEmpty(raw.with, '--with');
  if (withSchema === undefined && !raw.undo) {
    throw new InvalidInputError(`missing --with <name>: the restored schema that takes the place of "${schema}", e.g. --with ${schema}_20240128143000 (or --undo to swap back)`);
  }
  const keepAs = nonEmpty(raw.keepAs, '--keep-as');
  const lockTimeoutMs = raw.lockTimeout === undefined ? undefined : parseLockTimeoutArg(raw.lockTimeout, '--lock-timeout');
  return {
    swap: {
      target,
      schema,
      ...withSchema !== undefined ? { with: withSchema } : {},
      ...keepAs !== undefined ? { keepAs } : {},
      ...raw.undo ? { undo: true } : {},
      ...lockTimeoutMs !== undefined ? { lockTimeoutMs } : {},
    },
    json: raw.json === true,
  };
}
