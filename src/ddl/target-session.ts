import type { Client, ClientBase } from 'pg';

/** The lock timeout the restore uses for statements that lock something outside its staging schema. */
export const DEFAULT_LOCK_TIMEOUT_MS = 2000;

/** How often a waiting backend checks that the restore is still connected (so a killed restore leaves the lock queue). */
const CONNECTION_CHECK = '1s';

async function setting(client: ClientBase, name: string): Promise<string | undefined> {
  const { rows } = await client.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name]);
  return rows[0]?.setting;
}

/**
 * The lock timeout to use, in ms: `wantedMs`, or the session's own `lock_timeout` (set by the
 * database or role) when that is shorter — the database's guards are never loosened.
 *
 * @example
 * const ms = await effectiveLockTimeout(client, 2000); // 500 when the role has lock_timeout = 500ms
 */
export async function effectiveLockTimeout(client: ClientBase, wantedMs: number): Promise<number> {
  const current = Number(await setting(client, 'lock_timeout') ?? 0);
  return Math.max(1, Math.round(current > 0 ? Math.min(current, wantedMs) : wantedMs));
}

/**
 * Prepare the target session that runs the restore's DDL: `lock_timeout` becomes the smaller of
 * the restore's (`lockTimeoutMs`) and what the database or role already sets (the database's own
 * guards are never loosened), and `client_connection_check_interval` (PostgreSQL 14+) is set when
 * it is off, so a backend whose restore was killed stops waiting. Returns the lock timeout in force, in ms.
 *
 * @example
 * const lockTimeoutMs = await configureTargetSession(target, { lockTimeoutMs: 2000 });
 */
export async function configureTargetSession(client: Client, options: { lockTimeoutMs?: number } = {}): Promise<number> {
  const effective = await effectiveLockTimeout(client, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(effective))}`);
  if (await setting(client, 'client_connection_check_interval') === '0') {
    // Not every platform can check a connection; the setting is a safeguard, not a requirement.
    await client.query(`SET client_connection_check_interval = '${CONNECTION_CHECK}'`).catch(() => undefined);
  }
  return effective;
}
