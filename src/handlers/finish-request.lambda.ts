import { finishAuditRecord } from './audit-table';
import { auditTableOf } from './handler-context';
import type { AuditHandlerDeps } from './handler-deps';
import type { WithClock } from '../run-options';

/** A caught error as Step Functions hands it over. */
export interface StateError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** Input of the final audit state. */
export interface FinishRequestEvent {
  readonly restoreId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: StateError;
  /** The cleanup state's result, or the error it failed with. */
  readonly cleanup?: { readonly leftovers?: string[] } & StateError;
}

/** The outcome, for the execution output and the notification. */
export interface FinishRequestResult {
  readonly restoreId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly message: string;
  readonly leftovers: string[];
}

/** Side effects of {@link finishRequestHandler}. */
export interface FinishRequestDeps extends AuditHandlerDeps, WithClock {
}

function parseCause(cause: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(cause);
    return typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line for people from a caught error: a Lambda's `errorMessage`, an ECS task's stop reason
 * and exit code, or the cause as given.
 *
 * @example
 * describeStateError({ Error: 'InvalidInputError', Cause: '{"errorMessage":"\\"schemas\\" must be …"}' }); // 'InvalidInputError: "schemas" must be …'
 */
export function describeStateError(error: StateError): string {
  const name = error.Error ?? 'Error';
  const cause = error.Cause === undefined ? undefined : parseCause(error.Cause);
  if (typeof cause?.errorMessage === 'string') return `${name}: ${cause.errorMessage}`;
  const container = (cause?.Containers as Array<{ ExitCode?: number; Reason?: string }> | undefined)?.[0];
  if (cause && (cause.StoppedReason !== undefined || container)) {
    const exit = container?.ExitCode === undefined ? '' : ` with exit code ${container.ExitCode}`;
    const reason = [cause.StoppedReason, container?.Reason].filter((r) => typeof r === 'string' && r !== '').join('; ');
    return `the restore task stopped${exit}${reason ? `: ${reason}` : ''}; its log is in the task's CloudWatch log group`;
  }
  return error.Cause ? `${name}: ${error.Cause}` : name;
}

/**
 * Last state of every execution: write SUCCEEDED or FAILED (with the error in one line and any
 * resources cleanup left behind) into the audit record, and say what happened.
 *
 * @example
 * export const handler = finishRequestHandler({ dynamodb: new DynamoDBClient({}) });
 */
export function finishRequestHandler(deps: FinishRequestDeps = {}): (event: FinishRequestEvent) => Promise<FinishRequestResult> {
  return async (event) => {
    const table = auditTableOf({ dynamodb: deps.dynamodb, env: deps.env ?? process.env });
    const error = event.status === 'FAILED' ? describeStateError(event.error ?? {}) : undefined;
    const cleanupFailed = event.cleanup?.Error !== undefined ? [`cleanup failed (${describeStateError(event.cleanup)}); the ledger in this record lists what is left`] : [];
    const leftovers = [...(event.cleanup?.leftovers ?? []), ...cleanupFailed];
    await finishAuditRecord(table, { restoreId: event.restoreId, status: event.status, now: (deps.now ?? (() => new Date()))(), error, leftovers });
    const left = leftovers.length > 0 ? `; cleanup left ${leftovers.length} temporary resource(s): ${leftovers.join(', ')}` : '';
    const message = event.status === 'SUCCEEDED' ? `restore ${event.restoreId} succeeded${left}` : `restore ${event.restoreId} failed: ${error}${left}`;
    return { restoreId: event.restoreId, status: event.status, message, leftovers };
  };
}

export const handler = finishRequestHandler();
