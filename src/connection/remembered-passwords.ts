/** Passwords typed at the prompt, kept in this process's memory only, by login. */
const remembered = new Map<string, string>();

function loginKey(login: { host: string; port: string; user: string }): string {
  return JSON.stringify([login.host, login.port, login.user]);
}

/**
 * Keep a password typed at the prompt for the rest of the process, so the restore's other sessions
 * and pg_dump use it without asking again (psql asks once per connection; a restore opens dozens).
 *
 * @example
 * rememberPassword({ host: 'db', port: '5432', user: 'app' }, typed);
 */
export function rememberPassword(login: { host: string; port: string; user: string }, password: string): void {
  remembered.set(loginKey(login), password);
}

/**
 * The password typed earlier for a login, if any.
 *
 * @example
 * rememberedPassword({ host: 'db', port: '5432', user: 'app' }); // 's3cret' or undefined
 */
export function rememberedPassword(login: { host: string; port: string; user: string }): string | undefined {
  return remembered.get(loginKey(login));
}
