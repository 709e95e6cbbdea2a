import { findBackupRun } from './find-backup-run';
import type { BackupRun } from '../../backups/backup-catalog';
import type { ManifestExtension, ManifestSchema } from '../../backups/backup-manifest';
import type { BackupStore } from '../../backups/backup-store';
import { SchemaRestoreError } from '../../errors';
import type { BackupSource } from '../restore-source';

/** Which backup a restore reads, and which of its archives, in the order they are loaded. */
export interface BackupLoadPlan {
  readonly run: BackupRun;
  /** The backup's time: the restore point. */
  readonly snapshotAt: Date;
  /** The schemas asked for. */
  readonly requested: string[];
  /** Schemas the requested ones depend on (transitively), loaded first; their tables are not restored to the target. */
  readonly dependencies: string[];
  /** Archives to read, dependencies first. */
  readonly archives: ManifestSchema[];
  /** Extensions to create before loading (per-schema archives do not create them). */
  readonly extensions: ManifestExtension[];
  /** Bytes of the archives to read. */
  readonly bytes: number;
}

/** Requested schemas and what they depend on, each after its dependencies (a cycle is broken where it closes). */
function loadOrder(byName: ReadonlyMap<string, ManifestSchema>, requested: readonly string[], where: string): ManifestSchema[] {
  const ordered: ManifestSchema[] = [];
  const seen = new Set<string>();
  const visit = (name: string, from?: string): void => {
    if (seen.has(name)) return;
    const schema = byName.get(name);
    if (!schema) {
      throw new SchemaRestoreError('SCHEMA_NOT_FOUND',
        `schema ${JSON.stringify(from)} depends on schema ${JSON.stringify(name)}, which the backup ${where} does not hold; back up both (backup --schema ${from} --schema ${name}), or restore from a backup of every schema`);
    }
    seen.add(name);
    for (const dependency of schema.dependsOn ?? []) visit(dependency, name);
    ordered.push(schema);
  };
  for (const name of requested) visit(name);
  return ordered;
}

/**
 * Choose the backup a `{ kind: 'backup' }` source stands for — the newest complete run at or before
 * `source.at` — and what to read from it: the requested schemas' archives and those of the schemas
 * they depend on (as the manifest records), dependencies first. Reads only the chosen run's
 * manifest (every manifest only when no run qualifies, for the error).
 *
 * @example
 * const plan = await planBackupLoad(store, { kind: 'backup', location: 's3://backups/nightly/app/' }, ['customer_a1']);
 * plan.archives.map((a) => a.name); // ['public', 'customer_a1']
 */
export async function planBackupLoad(store: BackupStore, source: BackupSource, schemas: readonly string[] | undefined): Promise<BackupLoadPlan> {
  const run = await findBackupRun(store, { at: source.at, schemas, where: store.display });
  const manifest = run.manifest!;
  const requested = [...(schemas ?? manifest.schemas.map((s) => s.name))];
  const archives = loadOrder(new Map(manifest.schemas.map((s) => [s.name, s])), requested, run.display);
  const extensions = new Map<string, ManifestExtension>();
  for (const archive of archives) for (const extension of archive.extensions ?? []) extensions.set(extension.name, extension);
  return {
    run,
    snapshotAt: new Date(manifest.snapshotAt),
    requested,
    dependencies: archives.map((a) => a.name).filter((name) => !requested.includes(name)),
    archives,
    extensions: [...extensions.values()],
    bytes: archives.reduce((sum, a) => sum + a.bytes, 0),
  };
}
