import type { Client } from 'pg';
import { BuildSession } from './build-session';
import type { LockMode } from './lock-modes';
import { BuildKind, PlannedBuild, PostDataPlan, relationKey } from './post-data-plan';
import { cancelOnAbort } from '../cancel-on-abort';
import type { DatabaseConnection } from '../connection';
import type { SessionSlots } from '../copy/session-slots';
import { statementHead } from '../ddl/rename-schemas';
import { AbortedError, SchemaRestoreError } from '../errors';
import type { ProgressListener } from '../progress';

/** Options of {@link BuildScheduler}. */
export interface BuildSchedulerOptions {
  readonly target: DatabaseConnection;
  /** Target sessions shared with the copy workers: a build session is opened only on a free slot. */
  readonly slots: SessionSlots;
  /** Most build sessions at once. */
  readonly jobs: number;
  readonly emit: ProgressListener;
  /** The run's abort: cancels running builds (`pg_cancel_backend`) and closes their sessions. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the parallel part of a {@link PostDataPlan}: a build starts once every relation it locks is
 * loaded ({@link loaded}, or {@link loadedAll} for those not copied, such as partitioned parents and
 * materialized views) and the builds it follows have ended, on at most `jobs` build sessions, each
 * opened on a free session slot and closed when nothing is ready. The first failure (a
 * {@link DdlError} naming the statement) cancels the running builds; the staging schema it built in
 * is then dropped whole by the restore's cleanup, as after any failure.
 *
 * @example
 * const builds = new BuildScheduler(planPostData(statements), { target, slots, jobs: 4, emit });
 * // as tables are copied: builds.loaded(stagingSchema, table); at the end: builds.loadedAll();
 * await builds.finished();
 */
export class BuildScheduler {
  private readonly stop = new AbortController();
  private readonly loadedTables = new Set<string>();
  private everything = false;
  private readonly started = new Set<number>();
  private readonly ended = new Set<number>();
  private runners = 0;
  private starting = 0;
  private opened = 0;
  private failure: unknown;
  private idleWaiters: Array<() => void> = [];
  constructor(readonly plan: PostDataPlan, private readonly o: BuildSchedulerOptions) {
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.stop.abort();

  /** Aborts when a build failed or the run was aborted: the copy stops too. */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  /** The target session budget the builds share with the copy workers. */
  get slots(): SessionSlots {
    return this.o.slots;
  }

  /** The first failure of a build, if one failed. */
  get error(): unknown {
    return this.failure;
  }

  /** Builds ended so far. */
  get built(): number {
    return this.ended.size;
  }

  /** The rows of this staging table are in place: its builds may start. */
  loaded(schema: string, table: string): void {
    this.loadedTables.add(relationKey(schema, table));
    this.wake();
  }

  /**
   * Add work that runs on a build session like a build: once the relations it locks are loaded and
   * the builds placed before it whose locks conflict have ended (e.g. a table's checksum read, ACCESS
   * SHARE, after the table's ALTER TABLEs but beside its index builds and foreign keys).
   *
   * @example
   * builds.add({ kind: 'checksum', description: 'checksum of s.t', locks: new Map([[relationKey('s', 't'), 'ACCESS SHARE']]), work });
   */
  add(extra: { kind: BuildKind; description: string; locks: ReadonlyMap<string, LockMode>; work: (client: Client) => Promise<void> }): void {
    const id = this.plan.builds.length;
    const statement = { sql: extra.description, section: 'post-data', kind: 'data', type: 'work' } as const;
    const after = this.plan.order.place(id, extra.locks);
    this.plan.builds.push({ id, kind: extra.kind, statement, locks: extra.locks, after, settings: new Map(), work: extra.work });
    this.wake();
  }

  /** Every table is loaded: all builds may start as their order allows. */
  loadedAll(): void {
    this.everything = true;
    this.wake();
  }

  /** Wait for every build to end; rejects with the first failure, once every build session is closed. */
  async finished(): Promise<void> {
    await this.whenIdle();
    if (this.o.signal?.aborted) throw new AbortedError();
    if (this.failure !== undefined) throw this.failure;
    if (this.ended.size < this.plan.builds.length) throw new AbortedError('post-data builds stopped');
  }

  /** Cancel the running builds, start no more, and wait for every build session to close. */
  async halt(): Promise<void> {
    this.stop.abort();
    await this.whenIdle();
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  private isReady(b: PlannedBuild): boolean {
    return !this.started.has(b.id) && b.after.every((id) => this.ended.has(id)) &&
      [...b.locks.keys()].every((relation) => this.everything || this.loadedTables.has(relation));
  }

  /** Start runners for what is ready, and tell the waiters once nothing runs and nothing more can. */
  private wake(): void {
    if (!this.stop.signal.aborted) {
      let ready = this.plan.builds.filter((b) => this.isReady(b)).length - this.starting;
      for (; ready > 0 && this.runners < this.o.jobs; ready--) {
        this.runners++;
        this.starting++;
        void this.runner();
      }
    }
    if (this.runners > 0) return;
    const complete = this.ended.size === this.plan.builds.length;
    if (!complete && !this.stop.signal.aborted) {
      if (!this.everything) return; // waiting for tables to be copied
      this.failure ??= new SchemaRestoreError('POST_DATA_ORDER', `${this.plan.builds.length - this.ended.size} post-data statements could not be ordered; please report this schema`);
      this.stop.abort();
    }
    this.o.signal?.removeEventListener('abort', this.onAbort);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private claim(): PlannedBuild | undefined {
    const next = this.plan.builds.find((b) => this.isReady(b));
    if (next) this.started.add(next.id);
    return next;
  }

  private async runner(): Promise<void> {
    let session: BuildSession | undefined;
    let slot = false;
    let stopCancel = (): void => undefined;
    let starting = true;
    try {
      await this.o.slots.take(this.stop.signal);
      slot = true;
      session = await BuildSession.open(this.o.target, `build ${++this.opened}`);
      stopCancel = cancelOnAbort(this.stop.signal, [{ client: session.client, connection: this.o.target }]);
      starting = false;
      this.starting--;
      for (let b = this.claim(); b && !this.stop.signal.aborted; b = this.claim()) {
        this.wake(); // what else is ready goes to other sessions
        await this.build(session, b);
      }
    } catch (err) {
      // What fails after a stop (a cancelled statement) is its consequence, not its cause.
      if (!this.stop.signal.aborted) this.failure ??= err;
      this.stop.abort();
    } finally {
      if (starting) this.starting--;
      stopCancel();
      await session?.close();
      if (slot) this.o.slots.give();
      this.runners--;
      this.wake();
    }
  }

  private async build(session: BuildSession, b: PlannedBuild): Promise<void> {
    const startedAt = Date.now();
    const event = (status: 'start' | 'done'): void => this.o.emit({
      type: 'build',
      status,
      kind: b.kind,
      statement: statementHead(b.statement.sql),
      elapsedMs: Date.now() - startedAt,
      built: this.ended.size,
      total: this.plan.builds.length,
    });
    event('start');
    if (b.work) await session.work(b.work);
    else await session.run(b.statement, b.settings);
    this.ended.add(b.id);
    event('done');
  }
}
