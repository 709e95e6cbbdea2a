import type { ClientBase } from 'pg';

/**
 * Run `work` in a transaction on `client`: `begin` (e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ READ
 * ONLY`), then COMMIT when it resolves, or ROLLBACK (its own failure ignored: the session may be gone)
 * and rethrow when it rejects.
 *
 * @example
 * const rows = await inTransaction(client, async () => (await client.query('SELECT 1')).rows, 'BEGIN READ ONLY');
 */
export async function inTransaction<T>(client: ClientBase, work: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
