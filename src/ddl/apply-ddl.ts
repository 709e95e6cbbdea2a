import { Client } from 'pg';
import { statementHead } from './rename-schemas';
import { connectionLost } from '../connection-errors';
import { DdlError } from '../errors';

/** Statement texts, or statements from {@link splitDdl}. */
export type DdlInput = ReadonlyArray<string | { readonly sql: string }>;

/**
 * Run DDL statements in order, in one transaction: all of them or none. A failure names the
 * statement and the server's reason.
 *
 * @example
 * await applyDdl(targetClient, split.preData);
 */
export async function applyDdl(client: Client, statements: DdlInput, options: { transaction?: boolean } = {}): Promise<void> {
  const inTransaction = options.transaction ?? true;
  if (inTransaction) await client.query('BEGIN');
  try {
    for (const s of statements) {
      const sql = typeof s === 'string' ? s : s.sql;
      try {
        await client.query(sql);
      } catch (err) {
        // A lost session is not the statement's fault: name the session and the reason instead.
        const lost = connectionLost(err);
        if (lost) throw lost;
        throw new DdlError(`the target rejected "${statementHead(sql)}": ${(err as Error).message}`, { cause: err });
      }
    }
    if (inTransaction) await client.query('COMMIT');
  } catch (err) {
    if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
