import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { listBackupRuns } from '../../src/backups/backup-catalog';
import { backupDatabase } from '../../src/backups/backup-database';
import { openBackupStore } from '../../src/backups/backup-store';
import { PART_BYTES } from '../../src/backups/s3-store';
import { runCli } from '../../src/cli/program';
import { createSampleDatabases } from '../../src/testing';
import { fakeCli } from '../support/cli';
import { execSql, useLocalCluster, withClient } from '../support/postgres';
import { S3RVER_CREDENTIALS, startS3Proxy, useLocalS3 } from '../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
let url: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 20, databases: { app: ['customer_a1'] } })).app;
  // A schema whose archive is over one part (random bytes do not compress), so the upload is multipart.
  await execSql(url, `CREATE SCHEMA big; CREATE TABLE big.blobs (id int PRIMARY KEY, data bytea);
    INSERT INTO big.blobs SELECT g, decode(string_agg(md5(g::text || ':' || h::text || random()::text), ''), 'hex')
      FROM generate_series(1, 400) g, generate_series(1, 2000) h GROUP BY g`);
  // The CLI finds S3 the standard way: the credential chain and --s3-endpoint.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' });
}, 120_000);
afterAll(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

async function backupCli(args: string[], overrides: Parameters<typeof fakeCli>[1] = {}) {
  const cli = fakeCli(async () => {
    throw new Error('no restore here');
  }, overrides);
  const code = await runCli(['-q', 'backup', '--source', url, ...args], cli.deps);
  return { code, stdout: cli.stdout.text, errors: cli.stderr.lines() };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3().client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/** A lock that makes pg_dump wait inside its snapshot (LOCK TABLE … IN ACCESS SHARE MODE), until released. */
async function holdingLock<T>(fn: () => Promise<T>): Promise<T> {
  return withClient(url, async (client) => {
    await client.query('BEGIN; LOCK TABLE big.blobs IN ACCESS EXCLUSIVE MODE');
    try {
      return await fn();
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

test('a large archive goes up as a multipart upload (8 MiB parts) with SSE-S3 asked for, and the stored bytes are the manifest\'s', async () => {
  const proxy = await startS3Proxy(s3().endpoint);
  let printed: { location: string; manifest: { schemas: Array<{ archive: string; bytes: number; sha256: string }> } };
  try {
    const { code, stdout, errors } = await backupCli(['--to', 's3://backups/nightly/', '--s3-endpoint', proxy.endpoint, '--schema', 'big', '--json']);
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    printed = JSON.parse(stdout);
  } finally {
    await proxy.close();
  }
  const [big] = printed.manifest.schemas;
  expect(big.bytes).toBeGreaterThan(PART_BYTES);
  const key = `${printed.location.replace('s3://backups/', '')}${big.archive}`;
  const onArchive = proxy.requests.filter((r) => r.url.split('?')[0] === `/backups/${key}`);
  // CreateMultipartUpload (asking for SSE-S3), two UploadParts of at most 8 MiB, CompleteMultipartUpload: never one PUT of it all.
  expect(onArchive.map((r) => `${r.method} ${r.url.includes('?uploads') ? 'create' : r.url.includes('partNumber=') ? 'part' : r.url.includes('uploadId=') ? 'complete' : 'whole'}`))
    .toEqual(['POST create', 'PUT part', 'PUT part', 'POST complete']);
  expect(onArchive[0].headers['x-amz-server-side-encryption']).toBe('AES256');
  const partSizes = onArchive.filter((r) => r.url.includes('partNumber=')).map((r) => Number(r.headers['x-amz-decoded-content-length'] ?? r.headers['content-length']));
  expect(Math.max(...partSizes)).toBeLessThanOrEqual(PART_BYTES);
  const body = await (await s3().client.send(new GetObjectCommand({ Bucket: 'backups', Key: key }))).Body!.transformToByteArray();
  expect(body.length).toBe(big.bytes);
  expect(createHash('sha256').update(body).digest('hex')).toBe(big.sha256);
}, 120_000);

test('--kms-key asks for SSE-KMS with that key on every object of the run', async () => {
  const proxy = await startS3Proxy(s3().endpoint);
  try {
    const { code, errors } = await backupCli(['--to', 's3://backups/kms/', '--s3-endpoint', proxy.endpoint, '--schema', 'customer_a1', '--kms-key', 'alias/backups']);
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  } finally {
    await proxy.close();
  }
  const writes = proxy.requests.filter((r) => r.method === 'PUT' && r.url.startsWith('/backups/kms/'));
  expect(writes.map((r) => r.url.split('?')[0].split('/').pop()).sort()).toEqual(['customer_a1.dump', 'manifest.json']);
  for (const write of writes) {
    expect(write.headers).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/backups' });
  }
  expect(await keysUnder('kms/')).toHaveLength(2);
}, 60_000);

test('an upload that fails after its first part: one line, exit 1, nothing left under the run', async () => {
  // A client whose part uploads fail from the second one on, as when the network goes away midway.
  const failing = new S3Client({ endpoint: s3().endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  let parts = 0;
  failing.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'UploadPartCommand' && ++parts > 1) throw Object.assign(new Error('write EPIPE'), { name: 'Error', code: 'EPIPE' });
    return next(args);
  }, { step: 'initialize', name: 'failAfterOnePart' });
  try {
    const { code, stdout, errors } = await backupCli(['--to', 's3://backups/broken/', '--schema', 'big', '--schema', 'customer_a1'], {
      backup: (options) => backupDatabase({ ...options, s3: { ...options.s3, client: failing } }),
    });
    expect(parts).toBeGreaterThan(1);
    expect(errors).toHaveLength(1);
    // lib-storage then aborts the upload; s3rver has no AbortMultipartUpload (405), which is what lib-storage reports.
    expect(errors[0]).toMatch(/^pg-schema-restore: writing s3:\/\/backups\/broken\/app\/[^/]+\/big\.dump failed: /);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(await keysUnder('broken/')).toEqual([]);
  } finally {
    failing.destroy();
  }
}, 120_000);

test('pg_dump killed midway (its backend terminated): one line naming the schema, exit 1, nothing left under the run', async () => {
  const result = await holdingLock(async () => {
    // A lock wait longer than the test: pg_dump stays behind the lock until its backend is ended.
    const run = backupCli(['--to', 's3://backups/killed/', '--schema', 'big', '--schema', 'customer_a1', '--s3-endpoint', s3().endpoint, '--lock-wait-timeout', '10m']);
    await withClient(url, async (client) => {
      for (let waited = 0; ; waited += 50) {
        const { rows } = await client.query(`SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE application_name = 'pg-schema-restore backup' AND wait_event_type = 'Lock'`);
        if (rows.length > 0) break;
        if (waited > 30_000) throw new Error('pg_dump never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    return run;
  });
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(/^pg-schema-restore: .*pg_dump.*\(dumping schema big from postgres:\/\/postgres:\*\*\*@/);
  expect(result.errors[0]).not.toContain(new URL(url).password);
  expect(result.code).toBe(1);
  expect(await keysUnder('killed/')).toEqual([]);
  expect(await listBackupRuns(openBackupStore('s3://backups/killed/', { client: s3().client }))).toEqual([]);
}, 120_000);

test('S3 refusing the write: one line naming s3:PutObject (and the KMS permission with --kms-key), nothing left', async () => {
  const proxy = await startS3Proxy(s3().endpoint, (req) => req.method === 'PUT' || req.method === 'POST');
  try {
    const { endpoint } = proxy;
    const plain = await backupCli(['--to', 's3://backups/denied/', '--schema', 'customer_a1', '--s3-endpoint', endpoint]);
    expect(plain.errors).toEqual([expect.stringMatching(
      /^pg-schema-restore: cannot write s3:\/\/backups\/denied\/app\/[^/]+\/customer_a1\.dump: access denied; allow s3:PutObject to the credentials in use$/)]);
    expect(plain.code).toBe(1);
    const kms = await backupCli(['--to', 's3://backups/denied/', '--schema', 'customer_a1', '--s3-endpoint', endpoint, '--kms-key', 'alias/backups']);
    expect(kms.errors).toEqual([expect.stringMatching(/allow s3:PutObject and kms:GenerateDataKey on the --kms-key to the credentials in use$/)]);
    expect(await keysUnder('denied/')).toEqual([]);
  } finally {
    await proxy.close();
  }
}, 60_000);
