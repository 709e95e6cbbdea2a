import type { RetentionPolicy } from '../backups/plan-prune';
import { InvalidInputError } from '../errors';

// The task programs' settings come from their task definitions, written by the TenantBackups construct:
// a value that does not parse is a deployment that does not match the program.

function misconfigured(name: string, problem: string): InvalidInputError {
  return new InvalidInputError(`the environment variable ${name} ${problem}; deploy the task with the TenantBackups construct, which sets it`,
    { code: 'HANDLER_MISCONFIGURED' });
}

/**
 * A JSON list of names (`["customer_a1","customer_b2"]`); undefined when the variable is unset.
 *
 * @example
 * const schemas = nameListSetting('PGSR_BACKUP_SCHEMAS', env.PGSR_BACKUP_SCHEMAS);
 */
export function nameListSetting(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw misconfigured(name, 'is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string' || v === '')) throw misconfigured(name, 'is not a JSON list of names');
  return parsed as string[];
}

/**
 * A number above 0 (`4`, `25.5`), whole when `whole`; undefined when the variable is unset.
 *
 * @example
 * const jobs = positiveNumberSetting('PGSR_BACKUP_JOBS', env.PGSR_BACKUP_JOBS, { whole: true });
 */
export function positiveNumberSetting(name: string, value: string | undefined, options: { readonly whole?: boolean } = {}): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (options.whole && !Number.isSafeInteger(n))) {
    throw misconfigured(name, `must be a ${options.whole ? 'whole ' : ''}number above 0, not "${value}"`);
  }
  return n;
}

const RETENTION_KEYS = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

/**
 * The retention policy `{"keepDaily":7,"keepWeekly":4,"keepMonthly":12}` (also keepLast, keepYearly).
 * The counts themselves are checked by `planPrune`.
 *
 * @example
 * const retention = retentionSetting('PGSR_RETENTION', requiredEnv(env, 'PGSR_RETENTION'));
 */
export function retentionSetting(name: string, value: string): RetentionPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw misconfigured(name, 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw misconfigured(name, 'is not a JSON object');
  const entries = Object.entries(parsed);
  const unknown = entries.find(([key, n]) => !(RETENTION_KEYS as readonly string[]).includes(key) || typeof n !== 'number');
  if (unknown) throw misconfigured(name, `has "${unknown[0]}", not one of ${RETENTION_KEYS.join(', ')} with a number`);
  return Object.fromEntries(entries) as RetentionPolicy;
}
