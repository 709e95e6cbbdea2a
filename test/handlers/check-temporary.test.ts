import { checkTemporaryHandler } from '../../src/handlers/check-temporary.lambda';
import { fakeRds } from '../support/rds';

describe('check-temporary handler', () => {
  test('one describe per call: pending until available, then the endpoint', async () => {
    const rds = fakeRds({ instances: [{ DBInstanceIdentifier: 'pgsr-r-1', DBInstanceStatus: 'creating' }] });
    const check = checkTemporaryHandler({ rds: rds.client });
    await expect(check({ resource: { kind: 'rds-instance', id: 'pgsr-r-1' } })).resolves.toEqual({ status: 'pending', rdsStatus: 'creating' });
    rds.instances.set('pgsr-r-1', { DBInstanceIdentifier: 'pgsr-r-1', DBInstanceStatus: 'available', Endpoint: { Address: 'pgsr-r-1.rds', Port: 5433 } });
    await expect(check({ resource: { kind: 'rds-instance', id: 'pgsr-r-1' } })).resolves.toEqual({ status: 'available', rdsStatus: 'available', address: 'pgsr-r-1.rds', port: 5433 });
    expect(rds.mock.calls()).toHaveLength(2);
  });

  test('a restore that failed is an error naming the resource', async () => {
    const rds = fakeRds({ instances: [], clusters: [{ DBClusterIdentifier: 'pgsr-r-2', Status: 'incompatible-restore' }] });
    await expect(checkTemporaryHandler({ rds: rds.client })({ resource: { kind: 'rds-cluster', id: 'pgsr-r-2' } }))
      .rejects.toThrow('pgsr-r-2 ended in status "incompatible-restore"');
  });
});
