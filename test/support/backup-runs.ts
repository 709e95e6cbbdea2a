import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveName, runName } from '../../src/backups/backup-layout';
import { BackupManifest, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, manifestText } from '../../src/backups/backup-manifest';
import { BackupStore, OpenBackupStoreOptions, openBackupStore } from '../../src/backups/backup-store';

/** A backup run to fake: its database, snapshot time and archives' sizes. */
export interface SyntheticRun {
  /** @default 'app' */
  readonly database?: string;
  /** The snapshot's time (ISO 8601). */
  readonly at: string;
  /** Archive bytes per schema. @default { customer_a1: 1000 } */
  readonly schemas?: Record<string, number>;
  /** false: archives only, no manifest (a run that failed or is still running). @default true */
  readonly complete?: boolean;
}

/**
 * Write a run as `backupDatabase` lays it out — dummy archives of the given sizes and (unless
 * incomplete) a valid manifest naming them — at a chosen snapshot time. Returns the run's path.
 */
export async function writeSyntheticRun(store: BackupStore, run: SyntheticRun): Promise<string> {
  const database = run.database ?? 'app';
  const at = new Date(run.at);
  const path = `${database}/${runName(at)}/`;
  const schemas = [];
  for (const [name, bytes] of Object.entries(run.schemas ?? { customer_a1: 1000 })) {
    const body = Buffer.alloc(bytes, name);
    await store.write(path + archiveName(name), body);
    const sha256 = createHash('sha256').update(body).digest('hex');
    schemas.push({ name, archive: archiveName(name), format: 'custom' as const, bytes, sha256, relations: [], sequences: [] });
  }
  if (run.complete !== false) {
    const time = at.toISOString();
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      tool: { name: 'pg-schema-restore', version: 'test' },
      database,
      serverVersion: '15.10',
      encoding: 'UTF8',
      snapshotAt: time,
      startedAt: time,
      finishedAt: time,
      schemas,
    };
    await store.write(path + MANIFEST_FILE, Buffer.from(manifestText(manifest)));
  }
  return path;
}

/** Write synthetic runs, in this order, at a location (a directory or `s3://…`). */
export async function writeSyntheticRuns(location: string, runs: readonly SyntheticRun[], options: OpenBackupStoreOptions = {}): Promise<void> {
  const store = openBackupStore(location, options);
  try {
    for (const run of runs) await writeSyntheticRun(store, run);
  } finally {
    store.close();
  }
}

/** Set the modification time of every file of a run in a directory store (how old its last write looks). */
export function setRunWriteTime(root: string, path: string, at: Date): void {
  const dir = join(root, ...path.split('/').filter(Boolean));
  for (const name of readdirSync(dir)) utimesSync(join(dir, name), at, at);
}

/** A fresh empty directory for each test (a backup location), removed after it. Returns a getter. */
export function useBackupDirectory(): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-test-backups-'));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('no backup directory outside a test');
    return dir;
  };
}
