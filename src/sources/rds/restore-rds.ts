import { randomBytes } from 'node:crypto';
import { createRdsTemporary } from './create-rds-temporary';
import { detectRdsSource } from './detect-rds-source';
import { rdsLogin, RdsLoginOptions } from './rds-login';
import { checkRdsSource, RdsRestorePlan, validateRdsRestore } from './validate-rds-restore';
import { rdsClientOf } from '../../aws/clients';
import { Ledger, memoryLedgerStore } from '../../aws/ledger';
import { restoreTags, temporaryIdentifier } from '../../aws/tags';
import { cleanupResources } from '../../cleanup/cleanup-resources';
import { AbortedError, AwsResourceError, CleanupError } from '../../errors';
import { safeListener } from '../../progress';
import { checkRecoveredDatabase } from '../pitr/check-recovered-database';
import { RdsSource, RestoreTemporaryOptions, TemporaryDatabase } from '../restore-source';

/** Options of {@link restoreRdsTemporary}. */
export interface RdsRestoreOptions extends RestoreTemporaryOptions {
  /** Reads the login from `source.secretId`. @default resolveHistoricalSecret */
  readonly resolveSecret?: RdsLoginOptions['resolveSecret'];
}

/** `RDS instance "prod-db" as of 2024-01-28T14:30:00.000Z` — for people, never a secret. */
export function describeRdsRestore(plan: RdsRestorePlan, restorePoint?: Date): string {
  const what = plan.sourceType === 'instance' ? `RDS instance "${plan.sourceId}"` : `Aurora cluster "${plan.sourceId}"`;
  const from = plan.method.type === 'snapshot' ? ` snapshot "${plan.method.snapshotId}"` : '';
  const at = restorePoint ? ` as of ${restorePoint.toISOString()}` : plan.method.type === 'latest' ? ' at its latest restorable time' : '';
  return `${what}${from}${at}`;
}

/** Run the cleanup after a failure; if it leaves resources behind, say both things in one error. */
async function cleanupAfter(err: unknown, cleanup: () => Promise<unknown>, aborted: boolean): Promise<never> {
  const reason = aborted ? new AbortedError() : err;
  try {
    await cleanup();
  } catch (cleanupErr) {
    const leftovers = cleanupErr instanceof CleanupError ? cleanupErr.leftovers : [];
    throw new CleanupError(`${(reason as Error).message}; in addition, ${(cleanupErr as Error).message}`, leftovers, { cause: reason });
  }
  throw reason;
}

/**
 * Restore an RDS for PostgreSQL instance or Aurora PostgreSQL cluster side by side — to a time,
 * from a snapshot, or to its latest restorable time — into a private, tagged temporary instance
 * (Aurora: cluster + instance) and return the database to read. Everything is validated before
 * anything is created; each resource enters the ledger as soon as it exists; a failure or abort
 * deletes all of it before the promise rejects, and `cleanup()` deletes it after use.
 *
 * @example
 * const past = await restoreRdsTemporary(
 *   { kind: 'rds', id: 'prod-db', restoreTime: new Date('2024-01-28T14:30:00Z'), secretId: 'prod-db-master' },
 *   { database: 'tenant_a', schemas: ['customer_a1'], ledger: new Ledger(fileLedgerStore('ledger.json'), 'r-123') });
 * try { await readFrom(past.connection); } finally { await past.cleanup(); }
 */
export async function restoreRdsTemporary(source: RdsSource, options: RdsRestoreOptions = {}): Promise<TemporaryDatabase> {
  const { signal, clients } = options;
  const emit = safeListener(options.onProgress);
  const now = options.now ?? (() => new Date());
  const restoreId = options.restoreId ?? options.ledger?.restoreId ?? randomBytes(8).toString('hex');
  const ledger = options.ledger ?? new Ledger(memoryLedgerStore(), restoreId, now);
  if (signal?.aborted) throw new AbortedError();
  checkRdsSource(source);
  const rds = rdsClientOf(clients);
  const plan = await validateRdsRestore({ rds, source, detected: await detectRdsSource({ rds, id: source.id, signal }), signal });
  const temporaryName = temporaryIdentifier(restoreId);
  emit({ type: 'phase', phase: 'source', status: 'start', message: `restoring ${describeRdsRestore(plan)} into the temporary ${plan.sourceType === 'instance' ? 'instance' : 'cluster'} ${temporaryName}` });
  const cleanup = () => cleanupResources(ledger, { clients, onProgress: emit, awsWait: options.awsWait });
  try {
    if (signal?.aborted) throw new AbortedError();
    const tags = restoreTags({ restoreId, now: now(), ttlHours: source.ttlHours });
    const temporary = await createRdsTemporary({ rds, plan, restoreId, tags, ledger, wait: options.awsWait, emit, signal });
    const id = temporary.instance.DBInstanceIdentifier ?? temporaryName;
    const endpoint = temporary.instance.Endpoint;
    if (!endpoint?.Address) throw new AwsResourceError(id, `${id} is available but reports no endpoint; check it in the RDS console and retry`);
    const host = endpoint.Address;
    const port = endpoint.Port ?? 5432;
    const database = source.database ?? options.database ?? 'postgres';
    const restorePoint = temporary.restorePoint ?? now();
    const login = await rdsLogin({
      source,
      host,
      port,
      database,
      restorePoint,
      clients,
      ledger,
      tls: options.tls,
      signal,
      resolveSecret: options.resolveSecret,
      temporary: temporary.clusterId ? { dbClusterIdentifier: temporary.clusterId } : { dbInstanceIdentifier: id },
    });
    const asOf = restorePoint.toISOString();
    const warnings = await checkRecoveredDatabase({
      cluster: { ...login.connection, database: 'template1' }, database: login.connection, databaseName: database, schemas: options.schemas, tables: options.tables, asOf,
    });
    if (signal?.aborted) throw new AbortedError();
    const description = `${describeRdsRestore(plan, temporary.restorePoint)} restored as ${id}`;
    emit({ type: 'phase', phase: 'source', status: 'done', message: `${description}: database "${database}" at ${host}:${port}` });
    return {
      kind: 'rds', connection: login.connection, restorePoint: temporary.restorePoint, description, warnings, secretArn: login.secretArn, cleanup: async () => { await cleanup(); },
    };
  } catch (err) {
    return cleanupAfter(err, cleanup, signal?.aborted === true);
  }
}
