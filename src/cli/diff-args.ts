import { parseLockTimeoutArg } from './lock-timeout-arg';
import { checkTargetUrl } from './restore-args';
import type { DiffSchemasOptions } from '../compare/diff-schemas';
import { InvalidInputError } from '../errors';

/** Options of `pg-schema-restore diff` as commander hands them over. */
export interface RawDiffArgs {
  readonly target?: string;
  readonly schema?: string;
  readonly against?: string;
  readonly table?: string[];
  readonly samples?: string;
  readonly lockTimeout?: string;
  readonly json?: boolean;
}

/** A checked `diff` command: what to pass to `diffSchemas`, and how to print the result. */
export interface DiffCommandOptions {
  readonly diff: Omit<DiffSchemasOptions, 'signal'> & { readonly target: string };
  readonly json: boolean;
}

function checkSamples(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidInputError(`--samples must be a whole number of 0 or more (got "${value}"), e.g. --samples 10`);
  return n;
}

function checkName(value: string | undefined, option: string, what: string): string {
  if (value === undefined || value === '') throw new InvalidInputError(`missing ${option} <schema>: ${what}`);
  return value;
}

/**
 * Check `diff`'s options: a target, both schemas, `--samples` a whole number, `--lock-timeout` a
 * duration, no empty `--table`.
 *
 * @example
 * parseDiffArgs({ target: 'postgres://app@db/prod', schema: 'customer_a1', against: 'customer_a1_20240128143000' });
 */
export function parseDiffArgs(raw: RawDiffArgs): DiffCommandOptions {
  if (raw.table?.some((t) => t === '')) throw new InvalidInputError('--table must not be empty; pass the exact (case-sensitive) table name');
  return {
    diff: {
      target: checkTargetUrl(raw.target),
      schema: checkName(raw.schema, '--schema', 'the live schema, e.g. --schema customer_a1'),
      against: checkName(raw.against, '--against', 'the schema restored from it, e.g. --against customer_a1_20240128143000'),
      tables: raw.table,
      samples: checkSamples(raw.samples),
      lockTimeoutMs: raw.lockTimeout === undefined ? undefined : parseLockTimeoutArg(raw.lockTimeout, '--lock-timeout'),
    },
    json: raw.json === true,
  };
}
