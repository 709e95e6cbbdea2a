import { InvalidInputError } from '../errors';

/** Which tenants a drill restores. */
export interface TenantSelection {
  /** These schemas (each must be in the backup). */
  readonly schemas?: readonly string[];
  /** This many schemas picked at random; all when the backup holds fewer. */
  readonly sample?: number;
  /** Random numbers in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/**
 * The tenants to restore, in the backup's order: the named ones, `sample` of them picked at random
 * (a partial Fisher–Yates shuffle), or all. Naming schemas and sampling at once, or a sample that
 * is not a positive whole number, is an {@link InvalidInputError}. Pure but for `random`.
 *
 * @example
 * pickTenants(['customer_a1', 'customer_a2', 'customer_a3'], { sample: 2 }); // e.g. ['customer_a1', 'customer_a3']
 */
export function pickTenants(available: readonly string[], selection: TenantSelection): string[] {
  if (selection.schemas !== undefined && selection.sample !== undefined) {
    throw new InvalidInputError('give --schema or --sample, not both: name the tenants to restore, or let the drill pick some at random');
  }
  if (selection.schemas !== undefined) {
    if (selection.schemas.length === 0) throw new InvalidInputError('no schema to drill: name at least one, or leave the list out for all');
    return [...new Set(selection.schemas)];
  }
  if (selection.sample === undefined) return [...available];
  if (!Number.isSafeInteger(selection.sample) || selection.sample < 1) {
    throw new InvalidInputError(`--sample must be a positive whole number (got ${selection.sample}), e.g. --sample 3`);
  }
  const random = selection.random ?? Math.random;
  const pool = [...available];
  const count = Math.min(selection.sample, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const picked = new Set(pool.slice(0, count));
  return available.filter((s) => picked.has(s));
}
