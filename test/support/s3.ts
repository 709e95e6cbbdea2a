import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { freePort } from '../../src/local';

/** s3rver's fixed credentials: requests signed with anything else are refused. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A local S3 server (s3rver) and a client for it. */
export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** A client for the same server with other credentials (to provoke credential errors). */
  clientWith(credentials: { accessKeyId: string; secretAccessKey: string }): S3Client;
  /** Upload an object (a Buffer, or a local file's content). */
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
}

function clientFor(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
    // s3rver predates the SDK's default CRC32 checksums on uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A client for an S3 endpoint with s3rver's credentials (e.g. an {@link S3Proxy}'s). Destroy it.
 *
 * @example
 * const client = s3ClientAt(proxy.endpoint);
 */
export function s3ClientAt(endpoint: string): S3Client {
  return clientFor(endpoint, S3RVER_CREDENTIALS);
}

/**
 * Start s3rver on 127.0.0.1 (a free port, a temporary directory) before the tests of a file, with
 * these buckets, and stop it and remove its files after them. Returns a getter, like useLocalCluster.
 */
export function useLocalS3(buckets: string[]): () => LocalS3 {
  let server: S3rver | undefined;
  let dir: string | undefined;
  let s3: LocalS3 | undefined;
  const extraClients: S3Client[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-test-s3-'));
    const port = await freePort();
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
    await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = clientFor(endpoint, S3RVER_CREDENTIALS);
    s3 = {
      endpoint,
      client,
      clientWith: (credentials) => {
        const other = clientFor(endpoint, credentials);
        extraClients.push(other);
        return other;
      },
      put: async (bucket, key, body) => {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      },
    };
  }, 30_000);
  afterAll(async () => {
    s3?.client.destroy();
    for (const c of extraClients) c.destroy();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!s3) throw new Error('S3 server not started (use it inside a test or a hook)');
    return s3;
  };
}

/** A request that went through an {@link S3Proxy}. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query, e.g. `/backups/nightly/app/…/big.dump?partNumber=2&uploadId=…`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes of the answer's body that went back to the client (counted as they pass). */
  responseBytes: number;
}

/** An S3 endpoint in front of another that records every request and may refuse some. */
export interface S3Proxy {
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** S3's answer when a policy does not allow the action. */
const ACCESS_DENIED = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r1</RequestId></Error>';

/**
 * Start an HTTP proxy on 127.0.0.1 in front of an S3 endpoint (s3rver): it records each request
 * (to see multipart uploads and encryption headers on the wire) and answers those `deny` picks with
 * S3's own 403 AccessDenied, as a bucket policy without that permission does.
 */
export async function startS3Proxy(upstream: string, deny: (req: ProxiedRequest) => boolean = () => false): Promise<S3Proxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, responseBytes: 0 };
    requests.push(seen);
    if (deny(seen)) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end(ACCESS_DENIED);
      return;
    }
    const forwarded = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => {
        seen.responseBytes += chunk.length;
      });
      answer.pipe(res);
      // The client hung up (it stopped reading a body): stop fetching it upstream too.
      res.on('close', () => answer.destroy());
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
