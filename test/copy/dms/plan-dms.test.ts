import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { planDmsResources } from '../../../src/copy/dms/plan-dms';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const dmsOptions = { targetSecretArn: 'arn:target', secretsAccessRoleArn: 'arn:role', replicationSubnetGroupId: 'private' };

function pricing(usd: string) {
  const client = new PricingClient({ region: 'us-east-1', credentials });
  const mock = mockClient(client);
  mock.on(GetProductsCommand).resolves({
    PriceList: [JSON.stringify({ terms: { OnDemand: { 'T.1': { priceDimensions: { 'T.1.2': { unit: 'Hrs', pricePerUnit: { USD: usd } } } } } } })],
  });
  return { client, mock };
}

describe('planDmsResources (dry run of the dms engine)', () => {
  test('a replication instance priced from the Price List, two endpoints and one task per schema', async () => {
    const p = pricing('0.1540000000');
    const dms = new DatabaseMigrationServiceClient({ region: 'eu-west-1', credentials });
    const resources = await planDmsResources({ dms: { ...dmsOptions, clients: { dms } }, schemas: ['customer_a1', 'customer_a2'], pricing: p.client });
    expect(resources.map((r) => `${r.kind} ${r.name}`)).toEqual([
      'dms-replication-instance pgsr-<restore-id>', 'dms-endpoint pgsr-<restore-id>-source', 'dms-endpoint pgsr-<restore-id>-target',
      'dms-task pgsr-<restore-id>-0', 'dms-task pgsr-<restore-id>-1',
    ]);
    expect(resources[0]).toMatchObject({ usdPerHour: 0.154, costBasis: 'dms.t3.medium, DMS replication instance, eu-west-1' });
    expect(p.mock.commandCalls(GetProductsCommand)[0].args[0].input).toMatchObject({
      ServiceCode: 'AWSDatabaseMigrationSvc',
      Filters: [{ Type: 'TERM_MATCH', Field: 'instanceType', Value: 'dms.t3.medium' }, { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' }],
    });
  });

  test('an existing replication instance is not listed (nothing to create, nothing new to pay)', async () => {
    const resources = await planDmsResources({ dms: { ...dmsOptions, replicationInstanceArn: 'arn:rep' }, schemas: ['customer_a1'], pricing: pricing('1').client });
    expect(resources.map((r) => r.kind)).toEqual(['dms-endpoint', 'dms-endpoint', 'dms-task']);
  });
});
