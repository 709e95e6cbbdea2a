import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteContext, RESOURCE_DELETERS, ResourceDeleter } from './resource-deleters';
import { dmsClientOf, rdsClientOf, secretsManagerClientOf } from '../aws/clients';
import { Ledger, LedgerEntry, RESOURCE_KINDS } from '../aws/ledger';
import { AwsWaitOptions } from '../aws/run-waiter';
import { CleanupError } from '../errors';
import { ProgressListener, safeListener } from '../progress';
import type { AwsClients } from '../sources/restore-source';

/** Options of {@link cleanupResources}. */
export interface CleanupResourcesOptions {
  readonly clients?: AwsClients;
  /** Ends waits early; deletes already sent stay sent. */
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Strike instances and clusters from the ledger only once they are gone. @default false - once RDS accepted the delete (it cannot be undone) */
  readonly waitForDeletion?: boolean;
  readonly awsWait?: AwsWaitOptions;
  /** Remove the entries of every restore in the ledger's store, not only those of the ledger's own restore. @default false */
  readonly allRestores?: boolean;
  /** @default RESOURCE_DELETERS */
  readonly deleters?: Partial<Record<LedgerEntry['kind'], ResourceDeleter>>;
}

/** What a cleanup removed. */
export interface CleanupResult {
  /** Deleted by this call. */
  readonly deleted: LedgerEntry[];
  /** Already gone (deleted earlier, by hand or by a previous cleanup). */
  readonly alreadyGone: LedgerEntry[];
}

/** Dependency order: RESOURCE_KINDS order (a task before its endpoints, an instance before its cluster …), oldest first within a kind. */
export function deletionOrder(entries: readonly LedgerEntry[]): LedgerEntry[] {
  return [...entries].sort((a, b) => RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind) || a.createdAt.localeCompare(b.createdAt));
}

function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

const firstLine = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err));

/**
 * Delete every resource the ledger holds, in dependency order, and strike each from the ledger once
 * its deletion is accepted. Idempotent: a resource already gone counts as done. One failure does
 * not stop the others; at the end a single {@link CleanupError} lists what is left, with the
 * command that deletes each by hand.
 *
 * @example
 * const ledger = new Ledger(fileLedgerStore('/var/lib/pgsr/ledger.json'), 'r-123');
 * await cleanupResources(ledger, { clients: { rds: new RDSClient({}) }, onProgress: console.log });
 */
export async function cleanupResources(ledger: Ledger, options: CleanupResourcesOptions = {}): Promise<CleanupResult> {
  const emit = safeListener(options.onProgress);
  const deleters = options.deleters ?? RESOURCE_DELETERS;
  const context: DeleteContext = {
    rds: memo<RDSClient>(() => rdsClientOf(options.clients)),
    dms: memo<DatabaseMigrationServiceClient>(() => dmsClientOf(options.clients)),
    secretsManager: memo<SecretsManagerClient>(() => secretsManagerClientOf(options.clients)),
    waitForDeletion: options.waitForDeletion ?? false,
    wait: options.awsWait,
    signal: options.signal,
  };
  const entries = (await ledger.entries()).filter((e) => options.allRestores || e.restoreId === ledger.restoreId);
  const result: CleanupResult = { deleted: [], alreadyGone: [] };
  const leftovers: Array<{ kind: string; id: string; reason: string; manual?: string }> = [];
  for (const entry of deletionOrder(entries)) {
    const deleter = deleters[entry.kind];
    if (!deleter) {
      leftovers.push({ kind: entry.kind, id: entry.id, reason: `cannot delete kind ${entry.kind} yet` });
      continue;
    }
    emit({ type: 'log', level: 'info', message: `deleting ${entry.kind} ${entry.id}` });
    try {
      const outcome = await deleter.delete(entry.id, context);
      await ledger.remove(entry.kind, entry.id);
      (outcome === 'gone' ? result.alreadyGone : result.deleted).push(entry);
      emit({ type: 'log', level: 'info', message: outcome === 'gone' ? `${entry.id} was already gone` : `${entry.id} is being deleted` });
    } catch (err) {
      leftovers.push({ kind: entry.kind, id: entry.id, reason: firstLine(err), manual: deleter.manual(entry.id) });
      emit({ type: 'log', level: 'warn', message: `could not delete ${entry.kind} ${entry.id}: ${firstLine(err)}` });
    }
  }
  if (leftovers.length > 0) {
    const listed = leftovers.map((l) => `${l.kind} ${l.id} (${l.reason})`).join(', ');
    const fixes = leftovers.map((l) => l.manual ?? `delete ${l.kind} ${l.id} in the AWS console`).join('; ');
    throw new CleanupError(`could not delete ${leftovers.length} temporary resource${leftovers.length > 1 ? 's' : ''}: ${listed}; ` +
      `delete by hand (${fixes}) or sweep orphans later; the ledger still lists them`, leftovers);
  }
  return result;
}
