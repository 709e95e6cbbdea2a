import type { BackupRun } from './backup-catalog';
import { InvalidInputError, SchemaRestoreError } from '../errors';

/** Options of {@link chooseBackup}. */
export interface ChooseBackupOptions {
  /** The newest backup at or before this time. @default - the newest */
  readonly at?: Date;
  /** Schemas the backup must hold. @default - any */
  readonly schemas?: readonly string[];
  /** For messages: the location listed. */
  readonly where: string;
}

/**
 * The complete backup to restore from: the newest at or before `at` (the newest when no `at`), of
 * the one database the runs belong to. No complete backup, none old enough, or runs of several
 * databases (point at one database's directory) are one-line errors; so is a chosen backup that
 * lacks a requested schema.
 *
 * @example
 * const run = chooseBackup(await listBackupRuns(store), { at: new Date('2026-11-27T12:00:00Z'), where: store.display });
 */
export function chooseBackup(runs: readonly BackupRun[], options: ChooseBackupOptions): BackupRun {
  const complete = runs.filter((r) => r.complete);
  const databases = [...new Set(complete.map((r) => r.database))];
  if (databases.length > 1) {
    throw new InvalidInputError(`${options.where} holds backups of several databases (${databases.join(', ')}); point at one database's directory, e.g. ${options.where}${databases[0]}/`);
  }
  const damaged = runs.filter((r) => r.problem !== undefined);
  if (complete.length === 0 && damaged.length > 0) {
    // Nothing usable, and a manifest is the reason: say what is wrong with it, not just "not found".
    throw new SchemaRestoreError('BACKUP_CORRUPT', `no usable backup under ${options.where}: ${damaged[damaged.length - 1].problem}; use another backup, or run backup again`);
  }
  if (complete.length === 0) {
    const incomplete = runs.length ? ` (${runs.length} incomplete run${runs.length === 1 ? '' : 's'} without a manifest)` : '';
    throw new SchemaRestoreError('BACKUP_NOT_FOUND', `no complete backup under ${options.where}${incomplete}; check the location, or run backup first`);
  }
  const eligible = options.at ? complete.filter((r) => r.takenAt.getTime() <= options.at!.getTime()) : complete;
  if (eligible.length === 0) {
    throw new SchemaRestoreError('BACKUP_NOT_FOUND',
      `no backup under ${options.where} at or before ${options.at!.toISOString()}; the oldest is from ${complete[0].takenAt.toISOString()}: choose a later --at`);
  }
  const chosen = eligible[eligible.length - 1];
  const held = new Set(chosen.manifest!.schemas.map((s) => s.name));
  const missing = (options.schemas ?? []).filter((s) => !held.has(s));
  if (missing.length) {
    throw new SchemaRestoreError('SCHEMA_NOT_FOUND',
      `the backup ${chosen.display} has no schema ${missing.map((s) => JSON.stringify(s)).join(', ')}; it holds ${[...held].join(', ') || 'no schema'}`);
  }
  return chosen;
}
