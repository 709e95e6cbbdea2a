import { PasswordPrompt } from '../connection/password-prompt';
import { resolveConnection } from '../connection/resolve-connection';

/**
 * Before the progress display takes the terminal, log in once to each database named by a string
 * that resolves to no password, so a server that wants one gets it typed at a clean prompt; the
 * typed password is remembered for the restore's sessions and its pg_dump. Without a prompt (no
 * terminal) nothing happens here: the restore's own connection reports "no password supplied".
 *
 * @example
 * await askPasswordsFirst([['source', sourceArg], ['target', targetArg]], deps.passwordPrompt);
 */
export async function askPasswordsFirst(
  connections: ReadonlyArray<[role: string, conn: unknown]>,
  prompt: PasswordPrompt | undefined,
): Promise<void> {
  if (!prompt) return;
  // Loaded here: --help and argument errors stay fast and need no database library.
  const { connect } = await import('../connection/connect');
  for (const [role, conn] of connections) {
    if (typeof conn !== 'string' || resolveConnection(conn).params.password !== undefined) continue;
    const client = await connect(conn, role, 'pg-schema-restore', { prompt });
    await client.end();
  }
}
