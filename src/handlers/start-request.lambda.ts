import { startAuditRecord } from './audit-table';
import { auditTableOf } from './handler-context';
import type { AuditHandlerDeps } from './handler-deps';
import { parseRestoreRequest, RestoreRequest } from './restore-request';
import type { WithClock } from '../run-options';

/** Input of the first state: the execution's name and its input as given. */
export interface StartRequestEvent {
  readonly restoreId: string;
  readonly input: unknown;
}

/** What the rest of the state machine works from. */
export interface StartRequestResult {
  readonly restoreId: string;
  readonly request: RestoreRequest;
}

/** Side effects of {@link startRequestHandler}. */
export interface StartRequestDeps extends AuditHandlerDeps, WithClock {
}

/**
 * First state: check the input, then write the audit record (RUNNING, the input as given, and the
 * source it restores from). Bad input is recorded too, then throws before anything is created; the
 * failure branch writes its error into the record.
 *
 * @example
 * export const handler = startRequestHandler({ dynamodb: new DynamoDBClient({}) });
 */
export function startRequestHandler(deps: StartRequestDeps = {}): (event: StartRequestEvent) => Promise<StartRequestResult> {
  return async (event) => {
    const env = deps.env ?? process.env;
    const table = auditTableOf({ dynamodb: deps.dynamodb, env });
    let request: RestoreRequest | undefined;
    let refused: unknown;
    try {
      request = parseRestoreRequest(event.input, {
        defaultEngine: env.DEFAULT_ENGINE === 'dms' ? 'dms' : 'copy',
        dmsAvailable: env.DMS_AVAILABLE === 'true',
        backupsAvailable: env.BACKUPS_AVAILABLE === 'true',
      });
    } catch (err) {
      refused = err;
    }
    const now = (deps.now ?? (() => new Date()))();
    await startAuditRecord(table, { restoreId: event.restoreId, input: event.input, now, source: request?.source });
    if (!request) throw refused;
    return { restoreId: event.restoreId, request };
  };
}

export const handler = startRequestHandler();
