import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { RDSServiceException } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsResourceError, InvalidInputError, RdsSource } from '../../../src';
import { Ledger, memoryLedgerStore, planRdsSource, restoreRdsTemporary, temporaryIdentifier } from '../../../src/aws';
import { RDS_ERROR_CODES } from '../../../src/sources/rds/rds-errors';
import { FAST_WAIT, fakeRds, FakeRdsOptions, NOW, SOURCE_CLUSTER, SOURCE_INSTANCE, SOURCE_WRITER } from '../../support/rds';

const AT = new Date('2024-01-28T14:30:00Z');
const credentials = { username: 'postgres', password: 'x' };
const snapshot = { DBSnapshotIdentifier: 'nightly', DBInstanceIdentifier: 'prod-db', Status: 'available', SnapshotCreateTime: AT, Engine: 'postgres' };

/** Bad input fails before any create call, with a one-line InvalidInputError carrying its code. */
async function expectRefused(fakeOptions: FakeRdsOptions, source: Partial<RdsSource>, code: string, message: RegExp): Promise<void> {
  const rds = fakeRds(fakeOptions);
  const ledger = new Ledger(memoryLedgerStore(), 'r1');
  const err = await restoreRdsTemporary({ kind: 'rds', id: 'prod-db', credentials, ...source } as RdsSource,
    { clients: { rds: rds.client }, ledger, restoreId: 'r1', tls: false, awsWait: FAST_WAIT, now: () => NOW }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidInputError);
  expect(err).toMatchObject({ code });
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
  expect(rds.created).toEqual([]);
  expect(await ledger.entries()).toEqual([]);
}

describe('RDS restores are validated before anything is created', () => {
  test.each<[string, FakeRdsOptions, Partial<RdsSource>, string, RegExp]>([
    ['no such instance or cluster', {}, { id: 'nope', restoreTime: AT }, RDS_ERROR_CODES.notFound, /no RDS DB instance or Aurora DB cluster "nope".*AWS_REGION/],
    ['a MySQL instance', { instances: [{ ...SOURCE_INSTANCE, Engine: 'mysql' }] }, { restoreTime: AT }, RDS_ERROR_CODES.engineUnsupported, /"prod-db" runs mysql, not PostgreSQL/],
    ['an Aurora MySQL cluster', { instances: [], clusters: [{ ...SOURCE_CLUSTER, Engine: 'aurora-mysql' }] }, { id: 'prod-aurora', restoreTime: AT },
      RDS_ERROR_CODES.engineUnsupported, /runs aurora-mysql/],
    ['a time before the backup window', {}, { restoreTime: new Date('2024-01-01T00:00:00Z') }, RDS_ERROR_CODES.timeOutsideWindow,
      /restore time 2024-01-01T00:00:00.000Z is outside what "prod-db" can restore \(2024-01-21T15:00:00.000Z to 2024-01-28T14:55:00.000Z\)/],
    ['a time after the latest restorable time', {}, { restoreTime: new Date('2024-01-28T14:59:00Z') }, RDS_ERROR_CODES.timeOutsideWindow, /outside what "prod-db" can restore/],
    ['a cluster time outside its window', { instances: [SOURCE_WRITER], clusters: [SOURCE_CLUSTER] }, { id: 'prod-aurora', restoreTime: new Date('2023-12-01T00:00:00Z') },
      RDS_ERROR_CODES.timeOutsideWindow, /outside what "prod-aurora" can restore/],
    ['backups off', { instances: [{ ...SOURCE_INSTANCE, LatestRestorableTime: undefined }] }, { useLatestRestorableTime: true }, RDS_ERROR_CODES.timeOutsideWindow,
      /has no point-in-time backups.*snapshotId/],
    ['a missing snapshot', {}, { snapshotId: 'nightly' }, RDS_ERROR_CODES.snapshotNotFound, /no DB snapshot "nightly"/],
    ['a snapshot of another instance', { snapshots: [{ ...snapshot, DBInstanceIdentifier: 'staging-db' }] }, { snapshotId: 'nightly' },
      RDS_ERROR_CODES.snapshotOfAnotherSource, /"nightly" was taken of "staging-db", not of "prod-db"/],
    ['a snapshot still being created', { snapshots: [{ ...snapshot, Status: 'creating' }] }, { snapshotId: 'nightly' }, RDS_ERROR_CODES.snapshotNotAvailable,
      /"nightly" is creating, not available/],
    ['a cluster snapshot of another cluster', {
      instances: [SOURCE_WRITER],
      clusters: [SOURCE_CLUSTER],
      clusterSnapshots: [{ DBClusterSnapshotIdentifier: 'weekly', DBClusterIdentifier: 'other-aurora', Status: 'available' }],
    }, { id: 'prod-aurora', snapshotId: 'weekly' }, RDS_ERROR_CODES.snapshotOfAnotherSource, /DB cluster snapshot "weekly" was taken of "other-aurora"/],
    ['two restore methods', {}, { restoreTime: AT, useLatestRestorableTime: true }, RDS_ERROR_CODES.badSource, /exactly one of restoreTime, snapshotId, useLatestRestorableTime.*\(2 given\)/],
    ['no restore method', {}, {}, RDS_ERROR_CODES.badSource, /\(0 given\)/],
    ['an invalid date', {}, { restoreTime: new Date('garbage') }, RDS_ERROR_CODES.badSource, /not a valid date/],
    ['no login', {}, { restoreTime: AT, credentials: undefined }, RDS_ERROR_CODES.noCredentials, /pass credentials \(\{ username: 'postgres', password \}\).*or secretId/],
    ['a cluster without instances and no class', { instances: [], clusters: [{ ...SOURCE_CLUSTER, DBClusterMembers: [] }] }, { id: 'prod-aurora', restoreTime: AT },
      RDS_ERROR_CODES.badSource, /pass instanceClass/],
  ])('%s', (_name, fakeOptions, source, code, message) => expectRefused(fakeOptions, source, code, message));

  test('a refused describe becomes a one-line AwsResourceError', async () => {
    const rds = fakeRds();
    rds.mock.rejects(new RDSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'User is not authorized to perform: rds:DescribeDBInstances', $metadata: {} }));
    const err = await restoreRdsTemporary({ kind: 'rds', id: 'prod-db', restoreTime: AT, credentials }, { clients: { rds: rds.client } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsResourceError);
    expect((err as Error).message).toMatch(/^cannot describe the DB instance "prod-db": AccessDenied: User is not authorized.*; grant the caller/);
  });
});

describe('temporaryIdentifier', () => {
  test('lowercase letters, digits and single hyphens, a letter first, at most 63 characters', () => {
    expect(temporaryIdentifier('3F2A__91')).toBe('pgsr-3f2a-91');
    expect(temporaryIdentifier('r1', '1')).toBe('pgsr-r1-1');
    const long = temporaryIdentifier('a'.repeat(80), '1');
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
  });
});

/** A Price List API answering for one product, as AWS does: JSON strings with on-demand terms. */
function fakePricing(usd: string | Error): { client: PricingClient; filters: () => unknown[] } {
  const client = new PricingClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const product = JSON.stringify({
    product: { productFamily: 'Database Instance', attributes: { instanceType: 'db.r6g.large', databaseEngine: 'PostgreSQL', regionCode: 'eu-west-1' } },
    terms: { OnDemand: { 'ABC.JRTCKXETXF': { priceDimensions: { 'ABC.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd instanceof Error ? '0' : usd } } } } } },
  });
  if (usd instanceof Error) mock.on(GetProductsCommand).rejects(usd);
  else mock.on(GetProductsCommand).resolves({ PriceList: [product] });
  return { client, filters: () => mock.commandCalls(GetProductsCommand).map((c) => c.args[0].input.Filters) };
}

describe('planRdsSource (dry run)', () => {
  test('validates like a restore, lists the AWS resources with their hourly price, and creates nothing', async () => {
    const rds = fakeRds();
    const pricing = fakePricing('0.2580000000');
    const plan = await planRdsSource({ kind: 'rds', id: 'prod-db', restoreTime: AT, credentials }, { clients: { rds: rds.client, pricing: pricing.client } });
    expect(plan).toMatchObject({ description: 'RDS instance "prod-db"', restorePoint: AT });
    expect(plan.steps[0]).toBe('restore RDS instance "prod-db" as of 2024-01-28T14:30:00.000Z into a temporary db.r6g.large instance (private, tagged, deleted when the restore ends)');
    expect(plan.resources).toEqual([{
      kind: 'rds-instance', name: 'pgsr-restore-id', detail: 'db.r6g.large, private, Single-AZ, tagged', usdPerHour: 0.258, costBasis: 'db.r6g.large, PostgreSQL, Single-AZ, eu-west-1',
    }]);
    expect(pricing.filters()[0]).toEqual(expect.arrayContaining([
      { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'db.r6g.large' }, { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
    ]));
    expect(rds.created).toEqual([]);
    await expect(planRdsSource({ kind: 'rds', id: 'prod-db', restoreTime: new Date('2020-01-01T00:00:00Z'), credentials }, { clients: { rds: rds.client, pricing: pricing.client } }))
      .rejects.toMatchObject({ code: RDS_ERROR_CODES.timeOutsideWindow });
  });

  test('an Aurora Serverless v2 cluster: cluster + instance + temporary secret, priced per ACU-hour at the minimum capacity', async () => {
    const rds = fakeRds({
      instances: [{ ...SOURCE_WRITER, DBInstanceClass: 'db.serverless' }],
      clusters: [{ ...SOURCE_CLUSTER, ServerlessV2ScalingConfiguration: { MinCapacity: 2, MaxCapacity: 16 } }],
    });
    const pricing = fakePricing('0.1200000000');
    const plan = await planRdsSource({ kind: 'rds', id: 'prod-aurora', useLatestRestorableTime: true, secretId: 'prod/login' }, { clients: { rds: rds.client, pricing: pricing.client } });
    expect(plan.resources!.map((r) => `${r.kind} ${r.name}`)).toEqual(['rds-cluster pgsr-restore-id', 'rds-instance pgsr-restore-id-1', 'secret pg-schema-restore/<random>']);
    expect(plan.resources![1]).toMatchObject({ usdPerHour: 0.24, costBasis: 'Serverless v2 at 2 ACU, Aurora PostgreSQL, eu-west-1' });
    expect(pricing.filters()[0]).toEqual(expect.arrayContaining([{ Type: 'TERM_MATCH', Field: 'productFamily', Value: 'ServerlessV2' }]));
  });

  test('without pricing access the plan still stands, the price says why it is unknown', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: pricing:GetProducts'), { name: 'AccessDeniedException' });
    const plan = await planRdsSource({ kind: 'rds', id: 'prod-db', restoreTime: AT, credentials }, { clients: { rds: fakeRds().client, pricing: fakePricing(denied).client } });
    expect(plan.resources![0]).toMatchObject({ usdPerHour: undefined, costBasis: 'price unknown (pricing:GetProducts is not allowed)' });
  });
});
