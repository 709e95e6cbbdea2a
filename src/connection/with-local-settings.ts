import type { ClientBase } from 'pg';

/**
 * Run `work` with some settings changed for the current transaction only (`set_config(…, true)`),
 * then put them back as they were, so the rest of the transaction keeps the session's own values.
 * After a failure the transaction is aborted (and its settings with it): the put-back is then
 * skipped quietly and the work's own error is what the caller sees.
 *
 * @example
 * await withLocalSettings(client, { search_path: '' }, () => client.query('SELECT …'));
 */
export async function withLocalSettings<T>(client: ClientBase, settings: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const names = Object.keys(settings);
  const { rows } = await client.query<{ name: string; was: string }>(`SELECT name, was, set_config(name, value, true)
  FROM (SELECT n AS name, v AS value, current_setting(n) AS was FROM unnest($1::text[], $2::text[]) AS s(n, v) OFFSET 0) AS s`,
  [names, names.map((n) => settings[n])]);
  try {
    return await work();
  } finally {
    await client.query('SELECT set_config(n, v, true) FROM unnest($1::text[], $2::text[]) AS s(n, v)',
      [rows.map((r) => r.name), rows.map((r) => r.was)]).catch(() => undefined);
  }
}
