import type { Client } from 'pg';
import { CancellableSession, cancelOnAbort } from '../cancel-on-abort';
import { connect, DatabaseConnection } from '../connection';
import { connectInSnapshot } from '../connection/source-snapshot';
import type { Abortable, SourceAndTarget } from '../run-options';

/** Options of {@link ValidationSessions}. */
export interface ValidationSessionsOptions extends SourceAndTarget, Abortable {
  /** The source snapshot to read in. @default - one taken by the first source session and shared by the others */
  readonly snapshotId?: string;
}

const NAME = 'pg-schema-restore validate';

/**
 * The sessions of one validation: source sessions that all read one snapshot and target sessions,
 * each in a read-only REPEATABLE READ transaction, opened when first asked for — a comparison that
 * needs only the target (the source side was hashed during the copy) never opens a source session.
 * An abort cancels what any of them is running; `close()` ends them all.
 *
 * @example
 * const sessions = new ValidationSessions({ source, target, snapshotId });
 * try { const t = await sessions.target(0); … } finally { await sessions.close(); }
 */
export class ValidationSessions {
  private readonly sources = new Map<number, Promise<Client>>();
  private readonly targets = new Map<number, Promise<Client>>();
  private readonly open: CancellableSession[] = [];
  private readonly stopCancel: () => void;
  private snapshotId?: string;

  constructor(private readonly options: ValidationSessionsOptions) {
    this.snapshotId = options.snapshotId;
    this.stopCancel = cancelOnAbort(options.signal, this.open);
  }

  /** Source session `n`, in the validation's snapshot. */
  source(n: number): Promise<Client> {
    return this.session(this.sources, n, async () => {
      if (this.snapshotId) return connectInSnapshot(this.options.source, this.snapshotId, NAME);
      // The first session without a snapshot takes one and exports it for the others.
      const client = await connect(this.options.source, 'source', NAME);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      this.snapshotId = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;
      return client;
    }, this.options.source, n > 0 ? () => this.source(0) : undefined);
  }

  /** Target session `n`. */
  target(n: number): Promise<Client> {
    return this.session(this.targets, n, async () => {
      const client = await connect(this.options.target, 'target', NAME);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return client;
    }, this.options.target);
  }

  /** Stop cancelling on abort and end every session. */
  async close(): Promise<void> {
    this.stopCancel();
    const all = [...this.sources.values(), ...this.targets.values()];
    await Promise.all(all.map((p) => p.then((c) => c.end(), () => undefined).catch(() => undefined)));
  }

  private session(sessions: Map<number, Promise<Client>>, n: number, open: () => Promise<Client>, connection: DatabaseConnection,
    first?: () => Promise<Client>): Promise<Client> {
    let session = sessions.get(n);
    if (!session) {
      // Source sessions after the first join its snapshot, so it must exist first.
      session = (first ? first().then(open) : open()).then((client) => {
        this.open.push({ client, connection });
        return client;
      });
      sessions.set(n, session);
    }
    return session;
  }
}
