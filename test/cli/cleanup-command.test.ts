import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatabaseMigrationServiceClient, DescribeEndpointsCommand, DescribeReplicationInstancesCommand, DescribeReplicationTasksCommand,
} from '@aws-sdk/client-database-migration-service';
import { DBInstanceNotFoundFault, DeleteDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DeleteSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program';
import { fakeCli } from '../support/cli';

const rds = mockClient(RDSClient);
const secrets = mockClient(SecretsManagerClient);
const dms = mockClient(DatabaseMigrationServiceClient);
const noRestore = async () => {
  throw new Error('cleanup never restores');
};

describe('pg-schema-restore cleanup', () => {
  let dir: string;
  let ledgerPath: string;
  beforeEach(() => {
    rds.reset();
    secrets.reset();
    dms.reset();
    // No DMS resources in this account.
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [] });
    dms.on(DescribeEndpointsCommand).resolves({ Endpoints: [] });
    dms.on(DescribeReplicationInstancesCommand).resolves({ ReplicationInstances: [] });
    dir = mkdtempSync(join(tmpdir(), 'pgsr-cleanup-cli-'));
    ledgerPath = join(dir, 'ledger.json');
    writeFileSync(ledgerPath, JSON.stringify([
      { kind: 'secret', id: 'arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/x', restoreId: 'r1', createdAt: '2024-01-28T14:00:00.000Z' },
      { kind: 'rds-instance', id: 'pgsr-r1', restoreId: 'r1', createdAt: '2024-01-28T14:00:00.000Z' },
      { kind: 'rds-instance', id: 'pgsr-r0', restoreId: 'r0', createdAt: '2024-01-27T09:00:00.000Z' },
    ]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('lists what a crashed restore left in the ledger, deletes nothing without --yes', async () => {
    const cli = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--ledger', ledgerPath], cli.deps)).toBe(0);
    expect(cli.stdout.text).toContain(`Resources in the ledger ${ledgerPath}:`);
    expect(cli.stdout.text).toMatch(/rds-instance {2}pgsr-r1 {2}\(restore r1, created 2024-01-28T14:00:00.000Z\)/);
    expect(cli.stdout.text).toContain('Dry run: nothing was deleted; run again with --yes to delete them.');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(JSON.parse(readFileSync(ledgerPath, 'utf8'))).toHaveLength(3);
  });

  test('--yes deletes every entry, instances before secrets, a missing one counting as done; the ledger ends empty', async () => {
    rds.on(DeleteDBInstanceCommand, { DBInstanceIdentifier: 'pgsr-r0' }).rejects(new DBInstanceNotFoundFault({ message: 'DBInstance pgsr-r0 not found.', $metadata: {} }));
    rds.on(DeleteDBInstanceCommand, { DBInstanceIdentifier: 'pgsr-r1' }).resolves({});
    secrets.on(DeleteSecretCommand).resolves({});
    const cli = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--ledger', ledgerPath, '--yes', '--json'], cli.deps)).toBe(0);
    expect(JSON.parse(cli.stdout.text)).toMatchObject({ deleted: true, resources: expect.arrayContaining([expect.objectContaining({ id: 'pgsr-r1' })]) });
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'pgsr-r0', SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
      { DBInstanceIdentifier: 'pgsr-r1', SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
    ]);
    expect(secrets.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:pg-schema-restore/x', ForceDeleteWithoutRecovery: true });
    expect(JSON.parse(readFileSync(ledgerPath, 'utf8'))).toEqual([]);
  });

  test('a delete that fails: exit 1, one line naming the resource and the manual command, the entry kept', async () => {
    rds.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error('User is not authorized to perform: rds:DeleteDBInstance'), { name: 'AccessDenied' }));
    secrets.on(DeleteSecretCommand).resolves({});
    const cli = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--ledger', ledgerPath, '--yes'], cli.deps)).toBe(1);
    // Progress lines (timestamped) come first on stderr, then the one error line.
    expect(cli.stderr.lines().filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l))).toEqual([expect.stringMatching(/^pg-schema-restore: could not delete 2 temporary resources: rds-instance pgsr-r0 .*aws rds delete-db-instance --db-instance-identifier pgsr-r0/)]);
    expect(JSON.parse(readFileSync(ledgerPath, 'utf8')).map((e: { id: string }) => e.id)).toEqual(['pgsr-r1', 'pgsr-r0']);
  });

  test('--orphans finds expired tagged resources (and with --older-than, old ones); --yes deletes them', async () => {
    const tags = (restoreId: string, expiresAt: string) => [{ Key: 'pg-schema-restore:restore-id', Value: restoreId }, { Key: 'pg-schema-restore:expires-at', Value: expiresAt }];
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'pgsr-old', DBInstanceStatus: 'available', TagList: tags('old', '2024-01-01T00:00:00.000Z'), InstanceCreateTime: new Date('2023-12-31T18:00:00Z') },
        { DBInstanceIdentifier: 'pgsr-fresh', DBInstanceStatus: 'available', TagList: tags('fresh', '2999-01-01T00:00:00.000Z'), InstanceCreateTime: new Date(Date.now() - 3 * 3600_000) },
        { DBInstanceIdentifier: 'prod-db', DBInstanceStatus: 'available', TagList: [{ Key: 'team', Value: 'payments' }], InstanceCreateTime: new Date('2020-01-01T00:00:00Z') },
      ],
    });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
    rds.on(DeleteDBInstanceCommand).resolves({});

    const list = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--orphans'], list.deps)).toBe(0);
    expect(list.stdout.text).toMatch(/rds-instance {2}pgsr-old {2}\(restore old, expired 2024-01-01T00:00:00.000Z\)/);
    expect(list.stdout.text).not.toContain('pgsr-fresh');
    expect(list.stdout.text).not.toContain('prod-db');

    const older = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--orphans', '--older-than', '2h', '--json'], older.deps)).toBe(0);
    expect(JSON.parse(older.stdout.text).resources.map((r: { id: string }) => r.id).sort()).toEqual(['pgsr-fresh', 'pgsr-old']);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);

    const sweep = fakeCli(noRestore);
    expect(await runCli(['cleanup', '--orphans', '--yes'], sweep.deps)).toBe(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier)).toEqual(['pgsr-old']);
    expect(sweep.stdout.text).toContain('Deleted 1 resource.');
  });

  test.each([
    [['cleanup', '--older-than', '6h'], /^pg-schema-restore: --older-than applies to --orphans only/],
    [['cleanup', '--orphans', '--older-than', 'soon'], /^pg-schema-restore: --older-than must be a positive duration such as 90s, 30m, 6h or 2d \(got "soon"\)$/],
  ])('%j exits 2 with one line', async (argv, message) => {
    const cli = fakeCli(noRestore);
    expect(await runCli(argv, cli.deps)).toBe(2);
    expect(cli.stderr.lines()).toEqual([expect.stringMatching(message)]);
  });
});
