import { scrubSecrets } from '../connection';
import { AbortedError, ErrorCode, InvalidInputError, MissingRolesError, SchemaExistsError, SchemaNotFoundError, SchemaRestoreError } from '../errors';
import { CliDeps } from './cli-deps';

/** Exit statuses of the CLI; other tools rely on them. */
export const EXIT_CODES = {
  ok: 0,
  /** The restore (or demo) started and failed. */
  failure: 1,
  /** Bad usage or input, found before anything was created: fix the command and run it again. */
  usage: 2,
  /** Interrupted by SIGINT/SIGTERM; whatever the restore created was removed. */
  interrupted: 130,
} as const;

const INPUT_ERRORS = [InvalidInputError, SchemaNotFoundError, SchemaExistsError, MissingRolesError];

/**
 * The exit status for an error: 2 when the user must change the command (bad options, a missing or
 * taken schema, missing roles), 130 for an abort, 1 for everything else.
 *
 * @example
 * exitCodeFor(new SchemaExistsError('customer_a1_x')); // 2
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof AbortedError) return EXIT_CODES.interrupted;
  if (INPUT_ERRORS.some((type) => err instanceof type)) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}

/**
 * Remove the passwords of every connection string (or URL-looking argument, `--source=postgres://…`
 * included) from a text.
 *
 * @example
 * scrubAll('failed for postgres://u:pw@h/db', ['postgres://u:pw@h/db']); // 'failed for postgres://u:***@h/db'
 */
export function scrubAll(text: string, secretSources: readonly string[]): string {
  return secretSources.reduce((t, source) => scrubSecrets(t, source.replace(/^--?[\w-]+=/, '')), text);
}

/**
 * Whether `DEBUG` asks for pg-schema-restore's details (`DEBUG=pg-schema-restore`, `DEBUG=*`, comma lists).
 *
 * @example
 * debugEnabled({ DEBUG: 'express,pg-schema-restore' }); // true
 */
export function debugEnabled(env: Record<string, string | undefined>): boolean {
  return (env.DEBUG ?? '').split(/[\s,]+/).some((name) => name === '*' || name === 'pg-schema-restore' || name === 'pg-schema-restore:*');
}

/** How {@link reportFailure} reports. */
export interface ReportFailureOptions {
  /** @default exitCodeFor(err) */
  readonly exitCode?: number;
  /** `--json`: also print `{"error":{"code":…,"message":…}}` as the one line on stdout. */
  readonly json?: boolean;
}

/**
 * The stable code of a failure for `--json`: `SchemaRestoreError.code`, else `INTERNAL`.
 *
 * @example
 * failureCode(new SchemaExistsError('customer_a1_x')); // 'SCHEMA_EXISTS'
 */
export function failureCode(err: unknown): ErrorCode {
  return err instanceof SchemaRestoreError ? err.code : 'INTERNAL';
}

/**
 * Report a failure the CLI way: ONE line `pg-schema-restore: <message>` on stderr, passwords masked;
 * with `-v` (or `DEBUG=pg-schema-restore`) the stack and causes follow. With `json`, stdout gets one
 * line `{"error":{"code":"…","message":"…"}}`, scrubbed alike. Returns the exit status.
 *
 * @example
 * return reportFailure(err, deps, [sourceUrl, targetUrl], { json: options.json });
 */
export function reportFailure(
  err: unknown,
  deps: Pick<CliDeps, 'stdout' | 'stderr' | 'env' | 'verbosity'>,
  secretSources: readonly string[],
  options: ReportFailureOptions = {},
): number {
  const message = err instanceof Error ? err.message : String(err);
  const oneLine = scrubAll(message.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join(' ') || 'failed without a message', secretSources);
  const debug = deps.verbosity === 'verbose' || debugEnabled(deps.env);
  const hint = err instanceof SchemaRestoreError || debug ? '' : ' (run with -v for details)';
  deps.stderr.write(`pg-schema-restore: ${oneLine}${hint}\n`);
  if (debug) deps.stderr.write(`${scrubAll(describeStack(err), secretSources)}\n`);
  if (options.json) deps.stdout.write(`${JSON.stringify({ error: { code: failureCode(err), message: oneLine } })}\n`);
  return options.exitCode ?? exitCodeFor(err);
}

function describeStack(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(`${depth ? 'caused by: ' : ''}${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    if (!(e instanceof Error)) break;
  }
  return parts.join('\n');
}
