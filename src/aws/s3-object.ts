import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientOf } from './clients';
import { explainS3Error } from './s3-errors';
import { s3Sdk } from './sdk';

/** An S3 location: `s3://bucket/key`; a key ending in `/` (or empty) is a prefix. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** An object's identity and size, as S3 reports them. */
export interface S3ObjectInfo extends S3Location {
  readonly size: number;
  readonly lastModified: Date;
}

/** How to reach S3: the client to use (or how to build one) and an abort signal. */
export interface S3AccessOptions {
  /** @default new S3Client({ endpoint, forcePathStyle: true when an endpoint is given }) */
  readonly client?: S3Client;
  /** S3-compatible endpoint. @default process.env.AWS_ENDPOINT_URL_S3 */
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
}

/**
 * Parse `s3://bucket/key` (undefined for anything else).
 *
 * @example
 * parseS3Uri('s3://backups/daily/'); // { bucket: 'backups', key: 'daily/' }
 */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/**
 * `s3://bucket/key` of a location.
 *
 * @example
 * s3Uri({ bucket: 'backups', key: 'tenant_a.dump' }); // 's3://backups/tenant_a.dump'
 */
export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/**
 * The S3 client to use: the given one, or one built from the default credential chain, path-style
 * when an endpoint (MinIO, LocalStack, s3rver) is configured. The second value says whether the
 * caller owns (and must destroy) it.
 *
 * @example
 * const [s3, owned] = s3ClientFor({ endpoint: 'http://127.0.0.1:4568' });
 */
export function s3ClientFor(options: S3AccessOptions): [S3Client, boolean] {
  if (options.client) return [options.client, false];
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3;
  return [s3ClientOf(undefined, { endpoint }), true];
}

/**
 * The newest object (by LastModified; the greater key on a tie) under a prefix, reading every page
 * of the listing. Directory markers (keys ending in `/`) are ignored. Undefined when there is none.
 *
 * @example
 * const newest = await newestS3Object(s3, { bucket: 'backups', key: 'tenant_a/' });
 */
export async function newestS3Object(client: S3Client, prefix: S3Location, signal?: AbortSignal): Promise<S3ObjectInfo | undefined> {
  let newest: S3ObjectInfo | undefined;
  const paginator = s3Sdk.paginateListObjectsV2({ client }, { Bucket: prefix.bucket, Prefix: prefix.key });
  try {
    for await (const page of paginator) {
      if (signal?.aborted) break;
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/') || !object.LastModified) continue;
        const candidate = { bucket: prefix.bucket, key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified };
        const newer = !newest || candidate.lastModified.getTime() > newest.lastModified.getTime()
          || (candidate.lastModified.getTime() === newest.lastModified.getTime() && candidate.key > newest.key);
        if (newer) newest = candidate;
      }
    }
  } catch (err) {
    throw explainS3Error(err, prefix);
  }
  return newest;
}

/**
 * The first bytes of an object (a ranged GetObject) with its size and modification time; an empty
 * object gives an empty buffer.
 *
 * @example
 * const { head, info } = await readS3Head(s3, { bucket: 'backups', key: 'tenant_a.dump' }, 4096);
 */
export async function readS3Head(
  client: S3Client, location: S3Location, bytes: number, signal?: AbortSignal,
): Promise<{ head: Buffer; info: S3ObjectInfo }> {
  try {
    const response = await client.send(new s3Sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=0-${bytes - 1}` }), { abortSignal: signal });
    const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
    const lastModified = response.LastModified ?? new Date(0);
    if (total === '0') {
      // Some S3 look-alikes answer an empty object's range with a body that never comes: do not wait for it.
      (response.Body as Readable | undefined)?.destroy();
      return { head: Buffer.alloc(0), info: { ...location, size: 0, lastModified } };
    }
    const head = Buffer.from(await response.Body!.transformToByteArray());
    const size = total !== undefined ? Number(total) : response.ContentLength ?? head.length;
    return { head, info: { ...location, size, lastModified } };
  } catch (err) {
    // An empty object has no byte 0: S3 answers 416 to the range.
    if ((err as { name?: string }).name === 'InvalidRange') {
      return { head: Buffer.alloc(0), info: { ...location, size: 0, lastModified: new Date(0) } };
    }
    throw explainS3Error(err, location);
  }
}

/**
 * The whole object as a stream, read as it is consumed (never held in memory or written to disk).
 *
 * @example
 * const body = await openS3Object(s3, { bucket: 'backups', key: 'tenant_a.dump' });
 * body.pipe(child.stdin);
 */
export async function openS3Object(client: S3Client, location: S3Location, signal?: AbortSignal): Promise<Readable> {
  try {
    const response = await client.send(new s3Sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal: signal });
    return response.Body as Readable;
  } catch (err) {
    throw explainS3Error(err, location);
  }
}
