import { Client } from 'pg';
import { connect, DatabaseConnection, EXACT_SESSION_SETTINGS } from '../connection';
import { applyDdl } from '../ddl/apply-ddl';

/** What each build session gets for sorting an index, unless the server or role already gives it more. */
export const BUILD_MAINTENANCE_WORK_MEM_MB = 256;

/**
 * A target session that runs post-data builds: `maintenance_work_mem` is raised to
 * {@link BUILD_MAINTENANCE_WORK_MEM_MB} when the database or role sets less (a session-level SET on
 * our own session only; a larger value is kept), and the dump's session settings in force for each
 * statement are applied when they differ from the last ones the session ran.
 *
 * @example
 * const session = await BuildSession.open(targetUrl, 'build 1');
 * await session.run(build.statement, build.settings);
 * await session.close();
 */
export class BuildSession {
  static async open(target: DatabaseConnection, name: string): Promise<BuildSession> {
    const client = await connect(target, 'target', `pg-schema-restore ${name}`);
    try {
      const { rows } = await client.query<{ bytes: string }>("SELECT pg_size_bytes(current_setting('maintenance_work_mem')) AS bytes");
      if (Number(rows[0].bytes) < BUILD_MAINTENANCE_WORK_MEM_MB * 1024 * 1024) await client.query(`SET maintenance_work_mem = '${BUILD_MAINTENANCE_WORK_MEM_MB}MB'`);
      return new BuildSession(client);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  private readonly applied = new Map<string, string>();

  private constructor(readonly client: Client) {}

  /** Run one statement outside a transaction, after the settings it was dumped under; a rejection names it ({@link applyDdl}). */
  async run(statement: { readonly sql: string }, settings: ReadonlyMap<string, string>): Promise<void> {
    const changed = [...settings].filter(([name, sql]) => this.applied.get(name) !== sql);
    if (changed.length > 0) await applyDdl(this.client, changed.map(([, sql]) => sql), { transaction: false });
    for (const [name, sql] of changed) this.applied.set(name, sql);
    await applyDdl(this.client, [statement], { transaction: false });
  }

  /**
   * Run work other than a statement (a checksum read) with the session's own settings, those of
   * `connect()` that make text output identical on both sides: the dump's (its client_encoding)
   * are reset first.
   */
  async work(run: (client: Client) => Promise<void>): Promise<void> {
    if (this.applied.size > 0) {
      await this.client.query(Object.keys(EXACT_SESSION_SETTINGS).map((name) => `RESET ${name}`).join('; '));
      for (const name of Object.keys(EXACT_SESSION_SETTINGS)) this.applied.delete(name.toLowerCase());
    }
    await run(this.client);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
