import type { ClientBase } from 'pg';
import { InvalidInputError, SchemaNotFoundError } from '../errors';
import type { SwapNames } from './swap-names';

/**
 * Check the database for a swap: both schemas exist, the name the live one is to keep is free, and
 * neither holds an extension (its objects would stay behind in the replaced schema while the new
 * live one uses them, and dropping the replaced schema would take them away).
 *
 * @example
 * await checkSwapTarget(client, { live: 'customer_a1', with: 'customer_a1_20240128143000', keepAs: 'customer_a1_replaced_20241127225700' });
 */
export async function checkSwapTarget(client: ClientBase, names: SwapNames): Promise<void> {
  const { rows } = await client.query<{ nspname: string; extensions: string[] }>(
    `SELECT n.nspname, array(SELECT e.extname::text FROM pg_extension e WHERE e.extnamespace = n.oid ORDER BY 1) AS extensions
       FROM pg_namespace n WHERE n.nspname = ANY($1::text[])`, [[names.live, names.with, names.keepAs]]);
  const found = new Map(rows.map((r) => [r.nspname, r.extensions]));
  for (const name of [names.live, names.with]) if (!found.has(name)) throw new SchemaNotFoundError(name, 'the target database');
  if (found.has(names.keepAs)) {
    throw new InvalidInputError(`schema "${names.keepAs}" already exists: the replaced schema cannot take that name; pass another --keep-as or drop it`, { code: 'SCHEMA_EXISTS' });
  }
  for (const name of [names.live, names.with]) {
    const extensions = found.get(name)!;
    if (extensions.length > 0) {
      throw new InvalidInputError(`schema "${name}" holds extension ${extensions.map((e) => `"${e}"`).join(', ')}, which a swap would leave behind in one schema while the other uses it; ` +
        `move it first (ALTER EXTENSION ${extensions[0]} SET SCHEMA public)`);
    }
  }
}
