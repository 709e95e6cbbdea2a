import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackupStore, OpenBackupStoreOptions, StoredObject, WrittenObject } from './backup-store';
import { explainS3Error } from '../aws/s3-errors';
import { openS3Object, readS3Head, S3Location, s3ClientFor, s3Uri } from '../aws/s3-object';
import { s3Sdk, s3StorageSdk } from '../aws/sdk';
import { SchemaRestoreError } from '../errors';

/** Multipart part size: memory per upload is about `PART_BYTES × PARTS_IN_FLIGHT`. */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts of one upload sent at once. */
export const PARTS_IN_FLIGHT = 2;

/** S3 refuses a write: the same explanation as for reads, with the permissions a write needs. */
function writeFailed(err: unknown, location: S3Location, kmsKeyId: string | undefined): unknown {
  const explained = explainS3Error(err, location);
  if (!(explained instanceof SchemaRestoreError)) return explained;
  const uri = s3Uri(location);
  if (explained.code === 'S3_ACCESS_DENIED' && /access denied/.test(explained.message)) {
    const kms = kmsKeyId ? ' and kms:GenerateDataKey on the --kms-key' : '';
    return new SchemaRestoreError('S3_ACCESS_DENIED', `cannot write ${uri}: access denied; allow s3:PutObject${kms} to the credentials in use`, { cause: explained.cause });
  }
  if (explained.code === 'S3_FAILED' || explained.code === 'ARCHIVE_NOT_FOUND') {
    return new SchemaRestoreError('BACKUP_WRITE_FAILED', explained.message.replace(/^reading /, 'writing ').replace(/ does not exist/, ' cannot be written'), { cause: explained.cause });
  }
  return explained;
}

/**
 * A backup store under an S3 prefix. Writes are streamed multipart uploads (`@aws-sdk/lib-storage`),
 * so memory stays at a few parts whatever the archive's size, and are encrypted at rest: SSE-KMS
 * with `kmsKeyId`, SSE-S3 otherwise. A failed or aborted upload is aborted at S3 (no parts linger
 * and nothing appears under the key).
 *
 * @example
 * const store = openS3Store({ bucket: 'backups', key: 'nightly/' }, { kmsKeyId: 'alias/backups' });
 */
export function openS3Store(root: S3Location, options: OpenBackupStoreOptions): BackupStore {
  const prefix = root.key === '' || root.key.endsWith('/') ? root.key : `${root.key}/`;
  const at = (key: string): S3Location => ({ bucket: root.bucket, key: prefix + key });
  let client: S3Client | undefined;
  let owned = false;
  const s3 = (): S3Client => {
    if (!client) [client, owned] = s3ClientFor(options);
    return client;
  };
  return {
    display: s3Uri({ bucket: root.bucket, key: prefix }),
    describe: (key) => s3Uri(at(key)),
    list: async function* list(under = ''): AsyncGenerator<StoredObject> {
      const paginator = s3Sdk.paginateListObjectsV2({ client: s3() }, { Bucket: root.bucket, Prefix: prefix + under });
      try {
        for await (const page of paginator) {
          for (const object of page.Contents ?? []) {
            if (!object.Key || object.Key.endsWith('/')) continue;
            yield { key: object.Key.slice(prefix.length), size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
          }
        }
      } catch (err) {
        throw explainS3Error(err, at(under));
      }
    },
    read: (key) => openS3Object(s3(), at(key), options.signal),
    readHead: async (key, bytes) => (await readS3Head(s3(), at(key), bytes, options.signal)).head,
    write: async (key, body: Readable | Buffer, signal?: AbortSignal): Promise<WrittenObject> => {
      const location = at(key);
      const encryption = options.kmsKeyId
        ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.kmsKeyId }
        : { ServerSideEncryption: 'AES256' as const };
      const upload = new s3StorageSdk.Upload({
        client: s3(),
        params: { Bucket: location.bucket, Key: location.key, Body: body, ...encryption },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      let size = 0;
      upload.on('httpUploadProgress', (p) => {
        size = Math.max(size, p.loaded ?? 0);
      });
      const abort = (): void => void upload.abort().catch(() => undefined);
      signal?.addEventListener('abort', abort, { once: true });
      try {
        await upload.done();
        return { key, size: Buffer.isBuffer(body) ? body.length : size };
      } catch (err) {
        if (signal?.aborted) throw err;
        throw writeFailed(err, location, options.kmsKeyId);
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    },
    remove: async (keys) => {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000).map((key) => ({ Key: at(key).key }));
        try {
          await s3().send(new s3Sdk.DeleteObjectsCommand({ Bucket: root.bucket, Delete: { Objects: batch, Quiet: true } }));
        } catch (err) {
          throw explainS3Error(err, at(keys[i]));
        }
      }
    },
    close: () => {
      if (owned) client?.destroy();
      client = undefined;
    },
  };
}
