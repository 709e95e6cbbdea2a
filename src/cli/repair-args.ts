import { parseLockTimeoutArg } from './lock-timeout-arg';
import { checkTargetUrl } from './restore-args';
import { InvalidInputError } from '../errors';
import type { RepairRowsOptions } from '../repair/repair-rows';

/** Options of `pg-schema-restore repair` as commander hands them over. */
export interface RawRepairArgs {
  readonly target?: string;
  readonly schema?: string;
  readonly from?: string;
  readonly table?: string[];
  readonly deleted?: boolean;
  readonly changed?: boolean;
  readonly added?: boolean;
  readonly where?: string;
  /** commander's `--no-triggers`: false when given. */
  readonly triggers?: boolean;
  readonly dryRun?: boolean;
  readonly lockTimeout?: string;
  readonly json?: boolean;
}

/** A checked `repair` command: what to pass to `repairRows`, and how to print the result. */
export interface RepairCommandOptions {
  readonly repair: Omit<RepairRowsOptions, 'signal'> & { readonly target: string };
  readonly json: boolean;
}

function checkName(value: string | undefined, option: string, what: string): string {
  if (value === undefined || value === '') throw new InvalidInputError(`missing ${option} <schema>: ${what}`);
  return value;
}

/**
 * Check `repair`'s options before connecting: a target, both schemas, at least one of `--deleted`,
 * `--changed`, `--added`, no empty `--table` or `--where`, `--lock-timeout` a duration. The
 * `--where` condition is checked against the keys by `repairRows`.
 *
 * @example
 * parseRepairArgs({ target: 'postgres://app@db/prod', schema: 'customer_a1', from: 'customer_a1_20240128143000', deleted: true });
 */
export function parseRepairArgs(raw: RawRepairArgs): RepairCommandOptions {
  if (raw.table?.some((t) => t === '')) throw new InvalidInputError('--table must not be empty; pass the exact (case-sensitive) table name');
  if (!raw.deleted && !raw.changed && !raw.added) {
    throw new InvalidInputError('nothing to repair: pass at least one of --deleted (re-insert deleted rows), --changed (put changed rows back), --added (delete added rows)');
  }
  if (raw.where !== undefined && raw.where.trim() === '') throw new InvalidInputError('--where must not be empty; e.g. --where "id BETWEEN 100 AND 200"');
  return {
    repair: {
      target: checkTargetUrl(raw.target),
      schema: checkName(raw.schema, '--schema', 'the live schema to repair, e.g. --schema customer_a1'),
      from: checkName(raw.from, '--from', 'the schema restored from it, e.g. --from customer_a1_20240128143000'),
      tables: raw.table,
      deleted: raw.deleted === true,
      changed: raw.changed === true,
      added: raw.added === true,
      where: raw.where,
      triggers: raw.triggers !== false,
      dryRun: raw.dryRun === true,
      lockTimeoutMs: raw.lockTimeout === undefined ? undefined : parseLockTimeoutArg(raw.lockTimeout, '--lock-timeout'),
    },
    json: raw.json === true,
  };
}
