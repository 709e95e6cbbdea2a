import { Command } from 'commander';
import { alignColumns } from './align-columns';
import { addBackupLocationOptions, parseBackupLocationArgs, RawBackupLocationArgs } from './backup-location-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES } from './cli-errors';
import { BackupSummary, listBackups } from '../backups/list-backups';
import { InvalidInputError } from '../errors';
import { formatBytes, formatInstant } from '../format-units';

/** `backup list`'s options as commander hands them over. */
export interface RawBackupListArgs extends RawBackupLocationArgs {
  readonly schema?: string;
  readonly json?: boolean;
}

const SHOWN_SCHEMAS = 3;

function schemaCell(schemas: readonly string[]): string {
  if (schemas.length === 0) return '-';
  const more = schemas.length > SHOWN_SCHEMAS ? `, +${schemas.length - SHOWN_SCHEMAS} more` : '';
  return schemas.slice(0, SHOWN_SCHEMAS).join(', ') + more;
}

/**
 * The cells every table of backups starts with: time (UTC), database, size.
 *
 * @example
 * backupCells(summary); // ['2026-11-27T02:00:00Z', 'app', '3.1 MB']
 */
export function backupCells(backup: BackupSummary): string[] {
  return [formatInstant(backup.takenAt), backup.database ?? '?', formatBytes(backup.bytes)];
}

function render(backups: readonly BackupSummary[], from: string): string {
  if (backups.length === 0) return `No backups under ${from}.\n`;
  const rows = [['TAKEN (UTC)', 'DATABASE', 'SIZE', 'SCHEMAS', 'STATUS'],
    ...backups.map((b) => [...backupCells(b), schemaCell(b.schemas), b.complete ? 'complete' : `incomplete: ${b.incompleteBecause}`])];
  return `${alignColumns(rows).join('\n')}\n`;
}

/**
 * Run `pg-schema-restore backup list`: every backup at `--from`, oldest first, as a table (time,
 * database, size, schemas, complete or why not), or with `--json` as `{"backups":[…]}`.
 *
 * @example
 * const code = await runBackupListCommand({ from: '/var/backups/pgsr', json: true }, deps);
 */
export async function runBackupListCommand(raw: RawBackupListArgs, deps: CliDeps): Promise<number> {
  const location = parseBackupLocationArgs(raw);
  if (raw.schema !== undefined && raw.schema === '') throw new InvalidInputError('--schema must not be empty; pass the exact (case-sensitive) schema name');
  const backups = await listBackups({ ...location, ...(raw.schema !== undefined ? { schema: raw.schema } : {}) });
  deps.stdout.write(raw.json ? `${JSON.stringify({ backups })}\n` : render(backups, location.from));
  return EXIT_CODES.ok;
}

/**
 * Register `backup list` under the `backup` command.
 *
 * @example
 * addBackupListCommand(backupCommand(program), () => deps, (code) => (exitCode = code));
 */
export function addBackupListCommand(backup: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  addBackupLocationOptions(backup.command('list')
    .description('list the backups at --from: time, database, size, schemas, complete or not'))
    .option('--schema <name>', 'only backups that hold this schema')
    .option('--json', 'print {"backups":[…]} on stdout')
    .action(async (raw: RawBackupListArgs) => {
      setExitCode(await runBackupListCommand(raw, deps()));
    });
}
