import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { auditLedger, auditTableOf, logProgress } from './handler-context';
import { AwsWaitOptions } from '../aws/run-waiter';
import { cleanupResources } from '../cleanup/cleanup-resources';
import { CleanupError } from '../errors';
import { ProgressListener } from '../progress';
import type { AuditHandlerDeps } from './handler-deps';

/** What the cleanup did; leftovers go into the final audit record rather than failing the branch. */
export interface CleanupHandlerResult {
  readonly deleted: string[];
  /** `kind id: reason` of each resource that could not be deleted (the ledger still lists it). */
  readonly leftovers: string[];
}

/** Side effects of {@link cleanupHandler}. */
export interface CleanupHandlerDeps extends AuditHandlerDeps {
  readonly rds?: RDSClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly dms?: DatabaseMigrationServiceClient;
  /** @default one JSON line per event on standard output (CloudWatch Logs) */
  readonly onProgress?: ProgressListener;
  /** How deletes that must finish (DMS resources) are waited for. @default the SDK waiters' delays */
  readonly awsWait?: AwsWaitOptions;
}

/**
 * Delete every temporary resource of a restore that its ledger (in the audit record) still lists,
 * in dependency order. Reached after success and from every failing state; resources that cannot
 * be deleted are returned, not thrown, so that the final audit status is still written.
 *
 * @example
 * export const handler = cleanupHandler({ rds: new RDSClient({}) });
 */
export function cleanupHandler(deps: CleanupHandlerDeps = {}): (event: { restoreId: string }) => Promise<CleanupHandlerResult> {
  return async ({ restoreId }) => {
    const ledger = auditLedger(auditTableOf({ dynamodb: deps.dynamodb, env: deps.env ?? process.env }), restoreId);
    try {
      const result = await cleanupResources(ledger, {
        clients: { rds: deps.rds, secretsManager: deps.secretsManager, dms: deps.dms },
        onProgress: deps.onProgress ?? logProgress,
        awsWait: deps.awsWait,
      });
      return { deleted: [...result.deleted, ...result.alreadyGone].map((e) => `${e.kind} ${e.id}`), leftovers: [] };
    } catch (err) {
      if (!(err instanceof CleanupError)) throw err;
      return { deleted: [], leftovers: err.leftovers.map((l) => `${l.kind} ${l.id}: ${l.reason}`) };
    }
  };
}

export const handler = cleanupHandler();
