import type { S3Client } from '@aws-sdk/client-s3';
import { backupDatabase, BackupResult } from '../../../src/backups/backup-database';
import { restoreSchema } from '../../../src/restore-schema';
import { createSampleDatabases } from '../../../src/testing';
import { tableDigest, useLocalCluster } from '../../support/postgres';
import { S3RVER_CREDENTIALS, useLocalS3 } from '../../support/s3';

const cluster = useLocalCluster();
const s3 = useLocalS3(['backups']);
const TENANTS = Array.from({ length: 50 }, (_, i) => `tenant_${String(i + 1).padStart(2, '0')}`);
let url: string;
let backup: BackupResult;

/** A client that writes down the key of every GetObject it sends. */
function countingClient(keys: string[]): S3Client {
  const client = s3().clientWith(S3RVER_CREDENTIALS);
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'GetObjectCommand') keys.push((args.input as { Key: string }).Key);
    return next(args);
  }, { step: 'initialize', name: 'countGetObject' });
  return client;
}

beforeAll(async () => {
  url = (await createSampleDatabases(cluster(), { rows: 3, databases: { app: TENANTS } })).app;
  // An older run, whose manifest the restore of the newest has no reason to read.
  await backupDatabase({ source: url, to: 's3://backups/fifty/', schemas: ['public'], s3: { client: s3().client } });
  await new Promise((resolve) => setTimeout(resolve, 1100)); // runs named in other seconds: the newest is told by its name
  backup = await backupDatabase({ source: url, to: 's3://backups/fifty/', jobs: 2, s3: { client: s3().client } });
}, 600_000);

test('a backup of 50 tenants: restoring one reads only the newest run\'s manifest, that tenant\'s archive and public\'s (which it depends on)', async () => {
  expect(backup.manifest.schemas).toHaveLength(51);
  const keys: string[] = [];
  const run = backup.location.replace('s3://backups/', '');
  const report = await restoreSchema({
    source: { kind: 'backup', location: 's3://backups/fifty/app/' },
    target: url,
    schemas: ['tenant_37'],
    suffix: '_back',
    clients: { s3: countingClient(keys) },
  });
  expect(report.schemas[0].restored).toBe('tenant_37_back');
  expect([...new Set(keys)].sort()).toEqual([`${run}manifest.json`, `${run}public.dump`, `${run}tenant_37.dump`]);
  expect(await tableDigest(url, 'tenant_37_back', 'orders')).toEqual(await tableDigest(url, 'tenant_37', 'orders'));
}, 300_000);
