import { ClientBase } from 'pg';

/**
 * Warnings naming every unlogged table and sequence in `schemas` (every non-system schema when
 * undefined) — of a table-level restore, only those among the relations it keeps (`kept`, per
 * schema): a recovered server resets them — tables come back empty, sequences at their start —
 * because they are never written to WAL.
 *
 * @example
 * await unloggedRelationWarnings(client, ['customer_a1']);
 * // ['unlogged table customer_a1.sessions came back empty: unlogged tables are not written to WAL, so no backup can recover their rows']
 */
export async function unloggedRelationWarnings(
  client: ClientBase, schemas?: readonly string[], kept?: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'S')
        AND CASE WHEN $1::text[] IS NULL THEN n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                 ELSE n.nspname = ANY ($1::text[]) END
      ORDER BY 1, 2`, [schemas ?? null]);
  return rows.filter((r) => !kept || kept.get(r.schema)?.has(r.name)).map((r) => (r.kind === 'S'
    ? `unlogged sequence ${r.schema}.${r.name} came back at its start value: unlogged sequences are not written to WAL, so no backup can recover their position`
    : `unlogged table ${r.schema}.${r.name} came back empty: unlogged tables are not written to WAL, so no backup can recover their rows`));
}
