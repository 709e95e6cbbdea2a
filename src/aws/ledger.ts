/** Kinds of resources a restore creates and cleanup removes, in the order they are deleted. */
export const RESOURCE_KINDS = [
  'dms-task',
  'dms-endpoint',
  'dms-replication-instance',
  'rds-instance',
  'rds-cluster',
  'secret',
] as const;

export type ResourceKind = typeof RESOURCE_KINDS[number];

/** One created resource, written down the moment its create call returned. */
export interface LedgerEntry {
  readonly kind: ResourceKind;
  /** Identifier the delete call takes (DB instance/cluster identifier, secret ARN, DMS ARN). */
  readonly id: string;
  readonly region?: string;
  /** The restore that created it (also its `pg-schema-restore:restore-id` tag). */
  readonly restoreId: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Where a ledger keeps its entries: a local file for the CLI, a caller-provided store elsewhere (e.g. DynamoDB). */
export interface LedgerStore {
  load(): Promise<LedgerEntry[]>;
  save(entries: readonly LedgerEntry[]): Promise<void>;
}

/** An in-memory store (tests, callers that keep the entries themselves). */
export function memoryLedgerStore(initial: readonly LedgerEntry[] = []): LedgerStore & { readonly entries: readonly LedgerEntry[] } {
  let entries = [...initial];
  return {
    get entries() {
      return entries;
    },
    load: async () => [...entries],
    save: async (next) => {
      entries = [...next];
    },
  };
}

/**
 * The resources of one restore that still exist. `record` right after a create call returns,
 * `remove` once a delete is confirmed; cleanup works from what is left.
 *
 * @example
 * const ledger = new Ledger(memoryLedgerStore(), 'r-123');
 * await ledger.record({ kind: 'rds-instance', id: 'pgsr-r-123' });
 */
export class Ledger {
  /** Read-modify-write steps run one at a time, so concurrent records and removes never lose an entry. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(public readonly store: LedgerStore, public readonly restoreId: string, private readonly now: () => Date = () => new Date()) {}

  /** Write a created resource down (idempotent per kind + id). */
  public async record(entry: Omit<LedgerEntry, 'restoreId' | 'createdAt'> & Partial<Pick<LedgerEntry, 'createdAt'>>): Promise<void> {
    await this.serialized(async () => {
      const entries = await this.store.load();
      if (entries.some((e) => e.kind === entry.kind && e.id === entry.id)) return;
      await this.store.save([...entries, { ...entry, restoreId: this.restoreId, createdAt: entry.createdAt ?? this.now().toISOString() }]);
    });
  }

  /** Strike a resource whose deletion is confirmed (or which was already gone). */
  public async remove(kind: ResourceKind, id: string): Promise<void> {
    await this.serialized(async () => {
      const entries = await this.store.load();
      await this.store.save(entries.filter((e) => !(e.kind === kind && e.id === id)));
    });
  }

  /** What is still to be removed. */
  public entries(): Promise<LedgerEntry[]> {
    return this.serialized(() => this.store.load());
  }

  private serialized<T>(step: () => Promise<T>): Promise<T> {
    const run = this.pending.then(step, step);
    this.pending = run.catch(() => undefined);
    return run;
  }
}
