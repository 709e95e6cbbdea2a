import type { ClientBase } from 'pg';
import { InvalidInputError } from '../errors';
import { MAX_IDENTIFIER_BYTES } from '../quote';

/** What a swap renames: `live` becomes `keepAs`, then `with` becomes `live`. */
export interface SwapNames {
  /** The live schema's name (kept by the schema that takes its place). */
  readonly live: string;
  /** The schema that takes the live name. */
  readonly with: string;
  /** The name the schema that had the live name takes. */
  readonly keepAs: string;
}

/** Infix of the name the replaced live schema keeps: `<live>_replaced_<UTC YYYYMMDDHHMMSS>`. */
const REPLACED = '_replaced_';

/**
 * The name a replaced live schema keeps: `<live>_replaced_<UTC YYYYMMDDHHMMSS>`.
 *
 * @example
 * replacedName('customer_a1', new Date('2024-01-28T14:30:00Z')); // 'customer_a1_replaced_20240128143000'
 */
export function replacedName(live: string, at: Date): string {
  return `${live}${REPLACED}${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

/** Why a schema may not take part in a swap, or undefined when it may. */
function unswappable(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.startsWith('pg_') || name === 'information_schema') return 'a system schema';
  if (name.startsWith('pgsr_')) return 'a staging schema of a restore (pgsr_…): wait for its restore to publish it, or drop it with cleanup --local';
  return undefined;
}

/**
 * Refuse names no swap can use, before connecting: a system or staging schema, the same schema
 * twice, a name over PostgreSQL's 63-byte limit.
 *
 * @example
 * checkSwapNames({ live: 'customer_a1', with: 'customer_a1_20240128143000', keepAs: 'customer_a1_replaced_20241127225700' });
 */
export function checkSwapNames(names: SwapNames): void {
  for (const [role, name] of [['--schema', names.live], ['--with', names.with], ['--keep-as', names.keepAs]] as const) {
    const why = unswappable(name);
    if (why !== undefined) throw new InvalidInputError(`${role} "${name}" is ${why}; a swap renames tenant schemas only`);
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_IDENTIFIER_BYTES) throw new InvalidInputError(`${role} "${name}" is ${bytes} bytes, over PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte limit; pass a shorter --keep-as`);
  }
  if (names.live === names.with) throw new InvalidInputError(`--schema and --with both name "${names.live}"; --with is the restored schema that takes its place`);
  if (names.keepAs === names.live || names.keepAs === names.with) {
    throw new InvalidInputError(`--keep-as "${names.keepAs}" is one of the two schemas being swapped; give a new name for the replaced schema`);
  }
}

/**
 * For `swap --undo`: the one `<live>_replaced_<UTC YYYYMMDDHHMMSS>` schema of the database, which
 * takes the live name back. Refused when there is none, or several (say which with `--with`).
 *
 * @example
 * await replacedSchema(client, 'customer_a1'); // 'customer_a1_replaced_20241127225700'
 */
export async function replacedSchema(client: ClientBase, live: string): Promise<string> {
  const prefix = `${live}${REPLACED}`;
  const { rows } = await client.query<{ nspname: string }>(
    'SELECT nspname FROM pg_namespace WHERE left(nspname, length($1)) = $1 AND substr(nspname, length($1) + 1) ~ \'^[0-9]{14}$\' ORDER BY 1', [prefix]);
  const found = rows.map((r) => r.nspname);
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new InvalidInputError(`no schema "${prefix}<YYYYMMDDHHMMSS>" to swap back: nothing to undo for "${live}"; name the schema to swap back with --with`, { code: 'SWAP_UNDO_UNCLEAR' });
  }
  throw new InvalidInputError(`several replaced schemas could be swapped back into "${live}" (${found.map((s) => `"${s}"`).join(', ')}); name one with --with`, { code: 'SWAP_UNDO_UNCLEAR' });
}
