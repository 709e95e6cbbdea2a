import type { ClientBase } from 'pg';
import { InvalidInputError } from '../errors';
import { closeNameHint } from './select-tables';

/** A schema an operation needs, and the option that named it (`--schema`, `--against`, `--from`). */
export interface NamedSchema {
  readonly schema: string;
  readonly option: string;
}

/**
 * Check that each schema exists in the target database; the first missing one is an
 * {@link InvalidInputError} (`SCHEMA_NOT_FOUND`) naming the option that gave it and a close name, if any.
 *
 * @example
 * await checkSchemasExist(client, [{ schema: 'customer_a1', option: '--schema' }, { schema: 'customer_a1_20240128143000', option: '--against' }]);
 */
export async function checkSchemasExist(client: ClientBase, schemas: readonly NamedSchema[]): Promise<void> {
  const { rows } = await client.query<{ nspname: string }>('SELECT nspname::text FROM pg_namespace');
  const names = rows.map((r) => r.nspname);
  for (const { schema, option } of schemas) {
    if (names.includes(schema)) continue;
    throw new InvalidInputError(`schema "${schema}" (${option}) does not exist in the target database; check the name (it is case-sensitive)` +
      closeNameHint(schema, names), { code: 'SCHEMA_NOT_FOUND' });
  }
}
