import type { Readable } from 'node:stream';
import { openDirectoryStore } from './directory-store';
import { openS3Store } from './s3-store';
import type { S3AccessOptions } from '../aws/s3-object';
import { parseS3Uri } from '../aws/s3-object';

/** An object (a file, an S3 object) in a backup store; `key` is relative to the store's root, `/`-separated. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

/** What a completed write stored. */
export interface WrittenObject {
  readonly key: string;
  readonly size: number;
}

/**
 * Where backups live: a local directory or an S3 prefix, seen as a flat set of `/`-separated keys
 * under a root. Writes are whole-object (a reader never sees half an object under its key): a local
 * file is written beside its name and renamed when complete; an S3 upload becomes visible when it
 * completes.
 */
export interface BackupStore {
  /** The root for people and messages: `/backups/` or `s3://bucket/prefix/`. No secrets. */
  readonly display: string;
  /** The full location of a key, for people and messages. */
  describe(key: string): string;
  /** Every object under `prefix` (relative to the root), in no particular order. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  /** An object's bytes as a stream, read as it is consumed. */
  read(key: string): Promise<Readable>;
  /** S3 only: an object's first `bytes` bytes (a ranged GetObject), for reads that need only an archive's start. */
  readHead?(key: string, bytes: number): Promise<Buffer>;
  /** Store a stream or buffer under `key`, replacing any object there; memory stays bounded whatever the size. */
  write(key: string, body: Readable | Buffer, signal?: AbortSignal): Promise<WrittenObject>;
  /** Remove objects; missing ones are not an error. */
  remove(keys: readonly string[]): Promise<void>;
  /** Release the S3 client when the store created it. Safe to call more than once. */
  close(): void;
}

/** Options of {@link openBackupStore}. */
export interface OpenBackupStoreOptions extends S3AccessOptions {
  /**
   * S3 only: encrypt new objects with this KMS key (SSE-KMS; ARN, key id or alias).
   * @default - SSE-S3 (AES256)
   */
  readonly kmsKeyId?: string;
}

/**
 * Open the backup store at a location: `s3://bucket/prefix/` (a missing trailing `/` is added) or a
 * local directory (created 0700 on the first write; files are written 0600). Nothing is read or
 * written until it is used. `close()` it.
 *
 * @example
 * const store = openBackupStore('s3://backups/nightly/', { endpoint: 'http://127.0.0.1:4568' });
 * try { for await (const o of store.list()) console.log(o.key, o.size); } finally { store.close(); }
 */
export function openBackupStore(location: string, options: OpenBackupStoreOptions = {}): BackupStore {
  const s3 = parseS3Uri(location);
  return s3 ? openS3Store(s3, options) : openDirectoryStore(location);
}

/**
 * Whether a key is safe to join to a store's root: relative, `/`-separated, no empty, `.` or `..`
 * segment (keys also come from manifests, which are data from outside).
 *
 * @example
 * isSafeKey('app/2026-11-27T190212Z/manifest.json'); // true
 * isSafeKey('../etc/passwd'); // false
 */
export function isSafeKey(key: string): boolean {
  return key !== '' && !key.startsWith('/') && !key.includes('\\') && !key.includes('\0')
    && key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
