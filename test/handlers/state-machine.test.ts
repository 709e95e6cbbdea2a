import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateDBInstanceCommand, DBSnapshotNotFoundFault, RestoreDBInstanceToPointInTimeCommand } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyEngine } from '../../construct/src/copy-engine';
import { ConnectionError } from '../../src/errors';
import { runRestoreTask } from '../../src/handlers/restore-task';
import { NOW, SOURCE_CLUSTER, SOURCE_INSTANCE, SOURCE_WRITER } from '../support/rds';
import { aslErrors, CopyTaskRun, runWorkflow, synthesizeWorkflow, SynthesizedWorkflow, WorkflowRun } from '../support/workflow';

const PITR = { database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00Z' };
const TEMPORARY_SECRET = (restoreId: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore/${restoreId}-XyZ`;
const AURORA = {
  instances: [SOURCE_WRITER],
  clusters: [SOURCE_CLUSTER],
  clusterSnapshots: [{ DBClusterSnapshotIdentifier: 'snap-1', DBClusterIdentifier: 'prod-aurora', Status: 'available', Engine: 'aurora-postgresql', SnapshotCreateTime: NOW }],
};

let instanceWorkflow: SynthesizedWorkflow;
let clusterWorkflow: SynthesizedWorkflow;
let dmsWorkflow: SynthesizedWorkflow;
let backupWorkflow: SynthesizedWorkflow;

beforeAll(() => {
  instanceWorkflow = synthesizeWorkflow('prod-db');
  clusterWorkflow = synthesizeWorkflow('prod-aurora');
  dmsWorkflow = synthesizeWorkflow('prod-db', { copyEngine: CopyEngine.DMS });
  backupWorkflow = synthesizeWorkflow('prod-db', { copyEngine: CopyEngine.DMS }, { backupsPrefix: 'team-a/' });
});

const caDir = mkdtempSync(join(tmpdir(), 'pgsr-test-ca-'));
afterAll(() => rmSync(caDir, { recursive: true, force: true }));

/** The CLI command a copy task runs: the task's entry point on the task definition's and the state machine's environment. */
async function taskCommand(workflow: SynthesizedWorkflow, task: CopyTaskRun): Promise<string[]> {
  const secretsManager = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  mockClient(secretsManager).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'u', password: 'p', host: 'db.rds', port: 5432 }) });
  let command: string[] = [];
  await runRestoreTask({
    secretsManager,
    caFile: join(caDir, 'rds-ca.pem'),
    env: { ...workflow.taskEnvironment, ...task.environment },
    runCli: async (args) => {
      command = args;
      return { status: 0, stdout: '' };
    },
  });
  return command;
}

/** Ended in the failure branch: cleaned up, FAILED in the audit record with this error, nothing left in the ledger. */
function expectFailedAndCleaned(run: WorkflowRun, error: string | RegExp): void {
  expect(run.status).toBe('FAILED');
  expect(run.states.slice(-3)).toEqual(['CleanupAfterFailure', 'RecordFailure', 'RestoreFailed']);
  expect(run.audit).toMatchObject({ status: 'FAILED', leftovers: [] });
  expect(run.audit!.error).toEqual(typeof error === 'string' ? error : expect.stringMatching(error));
  expect(JSON.parse((run.audit!.resources as string | undefined) ?? '[]')).toEqual([]);
}

describe('the synthesized state machine', () => {
  test('is valid Amazon States Language, for both engines and with backups', () => {
    expect(aslErrors(instanceWorkflow.definition)).toEqual([]);
    expect(aslErrors(dmsWorkflow.definition)).toEqual([]);
    expect(aslErrors(backupWorkflow.definition)).toEqual([]);
  });

  test('without backups, no backup path: ValidateInput goes straight to DetectSource', () => {
    expect((instanceWorkflow.definition.States as Record<string, any>).ValidateInput.Next).toBe('DetectSource');
    expect(Object.keys(instanceWorkflow.definition.States as object)).not.toContain('CopyFromBackup');
    expect(instanceWorkflow.taskEnvironment).not.toHaveProperty('PGSR_BACKUP_LOCATION');
  });
});

describe('a local execution with the real handlers', () => {
  test('PITR of an instance with the copy engine: restored, copied, cleaned up, SUCCEEDED', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-1', input: PITR, rds: { instances: [SOURCE_INSTANCE] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.rds.createInputs[0]).toMatchObject({ SourceDBInstanceIdentifier: 'prod-db', TargetDBInstanceIdentifier: 'pgsr-r-1', RestoreTime: new Date(PITR.restoreTime) });
    // The fake instance goes creating → backing-up → available: three polls.
    expect(run.states.filter((s) => s === 'CheckTemporary')).toHaveLength(3);
    expect(run.account.copyTasks).toEqual([{
      state: 'CopyWithPgDump',
      environment: {
        PGSR_RESTORE_ID: 'r-1',
        PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'rds' }),
        PGSR_SCHEMAS: '["customer_a1"]',
        PGSR_SOURCE_SECRET_ARN: TEMPORARY_SECRET('r-1'),
      },
    }]);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-1']);
    expect(run.account.deletedSecrets).toEqual([TEMPORARY_SECRET('r-1')]);
    expect(run.audit).toMatchObject({ status: 'SUCCEEDED', leftovers: [], input: JSON.stringify(PITR), resources: '[]', source: 'rds' });
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', message: 'restore r-1 succeeded' });
    expect(JSON.stringify(run.output)).not.toContain('hunter2');
  });

  test('snapshot of an Aurora cluster: the cluster, then its instance, both waited for and deleted instance first', async () => {
    const run = await runWorkflow(clusterWorkflow, { restoreId: 'r-2', input: { database: 'tenants', schemas: ['customer_a1'], snapshotId: 'snap-1' }, rds: AURORA });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.rds.created).toEqual(['pgsr-r-2', 'pgsr-r-2-1']);
    expect(run.states).toContain('CreateTemporaryClusterInstance');
    expect(run.account.rds.deleted).toEqual(['pgsr-r-2-1', 'pgsr-r-2']);
    expect(run.account.deletedSecrets).toEqual([TEMPORARY_SECRET('r-2')]);
    expect(run.audit).toMatchObject({ status: 'SUCCEEDED' });
  });

  test('the DMS engine: one copy task per schema, one at a time', async () => {
    const run = await runWorkflow(dmsWorkflow, { restoreId: 'r-3', input: { ...PITR, schemas: ['a', 'b'], engine: 'dms' }, rds: { instances: [SOURCE_INSTANCE] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.copyTasks.map((t) => [t.state, t.environment.PGSR_SCHEMAS])).toEqual([['CopyWithDms', '["a"]'], ['CopyWithDms', '["b"]']]);
    expect(JSON.parse(run.account.copyTasks[0].environment.PGSR_REQUEST)).toMatchObject({ engine: 'dms', schemas: ['a', 'b'] });
    expect(run.account.rds.deleted).toEqual(['pgsr-r-3']);
    expect(run.audit).toMatchObject({ status: 'SUCCEEDED' });
  });

  test('"tables" reach the task\'s command as --table, each DMS iteration with its own schema\'s tables', async () => {
    const copy = await runWorkflow(instanceWorkflow, { restoreId: 'r-5', input: { ...PITR, tables: ['customer_a1.orders'] }, rds: { instances: [SOURCE_INSTANCE] } });
    expect(copy.status).toBe('SUCCEEDED');
    expect(await taskCommand(instanceWorkflow, copy.account.copyTasks[0])).toEqual(['restore', '--schema', 'customer_a1', '--table', 'customer_a1.orders', '--json']);
    const dms = await runWorkflow(dmsWorkflow, { restoreId: 'r-6', input: { ...PITR, schemas: ['a', 'b'], tables: ['b.items', 'a.orders', 'b.users'], engine: 'dms' }, rds: { instances: [SOURCE_INSTANCE] } });
    expect(dms.status).toBe('SUCCEEDED');
    const commands = await Promise.all(dms.account.copyTasks.map((t) => taskCommand(dmsWorkflow, t)));
    expect(commands.map((c) => [c[0], c[1], c[2]])).toEqual([['restore', '--engine', 'dms'], ['restore', '--engine', 'dms']]);
    expect(commands.map((c) => c.slice(c.indexOf('--schema')))).toEqual([
      ['--schema', 'a', '--table', 'a.orders', '--json'],
      ['--schema', 'b', '--table', 'b.items', '--table', 'b.users', '--json'],
    ]);
  });

  test('"tables" outside the requested schemas fail as bad input before anything is created', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-7', input: { ...PITR, tables: ['customer_b2.orders'] } });
    expectFailedAndCleaned(run, /^InvalidInputError: "tables" entry "customer_b2\.orders" is not schema\.table with one of the requested "schemas" \(customer_a1\)/);
    expect(run.account.rds.created).toEqual([]);
    expect(run.account.copyTasks).toEqual([]);
  });

  test('bad input fails before anything is created, with the reason in the audit record', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-4', input: { ...PITR, schemas: [] } });
    expectFailedAndCleaned(run, /^InvalidInputError: "schemas" must be a non-empty list/);
    expect(run.states[0]).toBe('ValidateInput');
    expect(run.account.rds.created).toEqual([]);
    expect(run.audit!.input).toBe(JSON.stringify({ ...PITR, schemas: [] }));
  });

  test('the DMS engine on a construct deployed without it is refused as bad input', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-5', input: { ...PITR, engine: 'dms' } });
    expectFailedAndCleaned(run, /needs a SchemaRestore deployed with copyEngine DMS/);
  });
});

describe('a failure in each phase ends in the cleanup branch, FAILED', () => {
  test('detect: a snapshot that does not exist; nothing created', async () => {
    const run = await runWorkflow(clusterWorkflow, { restoreId: 'r-10', input: { database: 'tenants', schemas: ['a'], snapshotId: 'nope' }, rds: AURORA });
    expectFailedAndCleaned(run, /nope/);
    expect(run.account.rds.created).toEqual([]);
  });

  test('start temporary: RDS refuses the restore; nothing to delete', async () => {
    const run = await runWorkflow(instanceWorkflow, {
      restoreId: 'r-11',
      input: PITR,
      rds: { instances: [SOURCE_INSTANCE] },
      arrange: ({ rds }) => rds.mock.on(RestoreDBInstanceToPointInTimeCommand).rejects(new DBSnapshotNotFoundFault({ message: 'no backup', $metadata: {} })),
    });
    expectFailedAndCleaned(run, /pgsr-r-11|prod-db/);
    expect(run.account.rds.deleted).toEqual([]);
  });

  test('start temporary: the Aurora cluster was created, its instance refused; the cluster is deleted', async () => {
    const run = await runWorkflow(clusterWorkflow, {
      restoreId: 'r-12',
      input: { database: 'tenants', schemas: ['a'], snapshotId: 'snap-1' },
      rds: AURORA,
      arrange: ({ rds }) => rds.mock.on(CreateDBInstanceCommand).rejects(Object.assign(new Error('quota exceeded'), { name: 'InstanceQuotaExceededFault' })),
    });
    expectFailedAndCleaned(run, /quota exceeded/);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-12']);
  });

  test('wait loop: still not available after the last poll times out; the instance is deleted', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-13', input: PITR, rds: { instances: [SOURCE_INSTANCE], instanceStatuses: ['creating'] } });
    // temporaryRestoreTimeout 3 minutes / pollInterval 1 minute.
    expect(run.states.filter((s) => s === 'CheckTemporary')).toHaveLength(3);
    expectFailedAndCleaned(run, 'TemporaryRestoreTimedOut: pgsr-r-13 was not available after 3 polls; allow longer with temporaryRestoreTimeout');
    expect(run.account.rds.deleted).toEqual(['pgsr-r-13']);
  });

  test('wait loop: a restore that fails; the instance is deleted', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-14', input: PITR, rds: { instances: [SOURCE_INSTANCE], instanceStatuses: ['creating', 'incompatible-restore'] } });
    expectFailedAndCleaned(run, /pgsr-r-14 ended in status "incompatible-restore"/);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-14']);
  });

  test('secret: no login of the restore point works; the instance is deleted', async () => {
    const run = await runWorkflow(instanceWorkflow, {
      restoreId: 'r-15', input: PITR, rds: { instances: [SOURCE_INSTANCE] }, faults: { secret: new ConnectionError('no version of the secret logs in to pgsr-r-15') },
    });
    expectFailedAndCleaned(run, 'ConnectionError: no version of the secret logs in to pgsr-r-15');
    expect(run.account.rds.deleted).toEqual(['pgsr-r-15']);
    expect(run.account.deletedSecrets).toEqual([]);
  });

  test('copy task: it stops with an exit code; instance, secret and what the task left are deleted', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-16', input: PITR, rds: { instances: [SOURCE_INSTANCE] }, faults: { copyExitCode: 3 } });
    expectFailedAndCleaned(run, 'the restore task stopped with exit code 3: Essential container in task exited; its log is in the task\'s CloudWatch log group');
    expect(run.account.rds.deleted).toEqual(['pgsr-r-16']);
    expect(run.account.deletedSecrets).toEqual([TEMPORARY_SECRET('r-16')]);
    expect(run.account.dms.deleteCalls).toEqual([...run.account.dms.resources.keys()]);
  });

  test('DMS: an iteration fails; the Map fails and everything the iterations left is deleted', async () => {
    const run = await runWorkflow(dmsWorkflow, { restoreId: 'r-17', input: { ...PITR, schemas: ['a', 'b'] }, rds: { instances: [SOURCE_INSTANCE] }, faults: { copyExitCode: 1 } });
    expectFailedAndCleaned(run, /exit code 1/);
    expect(run.states).toContain('CopyEachSchemaWithDms');
    expect(run.account.rds.deleted).toEqual(['pgsr-r-17']);
    // aws-local-stepfunctions starts the next iteration even after one failed (Step Functions would not, with MaxConcurrency 1).
    expect(run.account.dms.deleteCalls.sort()).toEqual([...run.account.dms.resources.keys()].sort());
  });

  test('finish: the cleanup after a successful copy fails; the failure branch cleans up and records FAILED', async () => {
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-18', input: PITR, rds: { instances: [SOURCE_INSTANCE] }, faults: { auditTableAfterCopy: throttled } });
    expect(run.states).toContain('Cleanup');
    expectFailedAndCleaned(run, /^AwsResourceError: cannot read the audit record of r-18/);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-18']);
    expect(run.account.deletedSecrets).toEqual([TEMPORARY_SECRET('r-18')]);
  });

  test('finish: recording SUCCEEDED fails after the cleanup; the execution fails but the restore is not recorded FAILED', async () => {
    const run = await runWorkflow(instanceWorkflow, {
      restoreId: 'r-19',
      input: PITR,
      rds: { instances: [SOURCE_INSTANCE] },
      arrange: ({ table }) => {
        table.mock.on(UpdateItemCommand, { ExpressionAttributeValues: { ':status': { S: 'SUCCEEDED' } } })
          .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.states.slice(-2)).toEqual(['Cleanup', 'RecordSuccess']);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-19']);
    expect(run.audit!.status).toBe('RUNNING');
  });
});

describe('"source": "backup" on a SchemaRestore with backups', () => {
  const FROM_BACKUP = { database: 'tenants', schemas: ['customer_a1'], source: 'backup', restoreTime: '2024-01-28T14:30:00Z' };

  test('no temporary database: ValidateInput, the copy task on the backups, Cleanup, SUCCEEDED; the audit record says "backup"', async () => {
    const run = await runWorkflow(backupWorkflow, { restoreId: 'r-30', input: FROM_BACKUP, rds: { instances: [SOURCE_INSTANCE] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(['ValidateInput', 'ChooseSource', 'CopyFromBackup', 'Cleanup', 'RecordSuccess', 'RestoreSucceeded']);
    // Not one RDS call, let alone one that creates something; no temporary secret either.
    expect(run.account.rds.mock.calls()).toEqual([]);
    expect(run.account.deletedSecrets).toEqual([]);
    // The deployment's default engine is DMS; a backup still runs the copy engine, with no temporary secret.
    expect(run.account.copyTasks).toEqual([{
      state: 'CopyFromBackup',
      environment: {
        PGSR_RESTORE_ID: 'r-30',
        PGSR_REQUEST: JSON.stringify({ database: 'tenants', schemas: ['customer_a1'], restoreTime: '2024-01-28T14:30:00.000Z', engine: 'copy', source: 'backup' }),
        PGSR_SCHEMAS: '["customer_a1"]',
      },
    }]);
    // The task definition says where the backups are: TenantBackups' bucket, under its prefix.
    expect(backupWorkflow.taskEnvironment.PGSR_BACKUP_LOCATION).toMatch(/^s3:\/\/BackupsBucket[0-9A-F]{8}\/team-a\/backups\/$/);
    expect(backupWorkflow.functions.get('start-request')!.env.BACKUPS_AVAILABLE).toBe('true');
    expect(run.audit).toMatchObject({ status: 'SUCCEEDED', source: 'backup', leftovers: [], input: JSON.stringify(FROM_BACKUP) });
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', message: 'restore r-30 succeeded' });
  });

  test('the RDS path of the same deployment is unchanged; its audit record says "rds"', async () => {
    const run = await runWorkflow(backupWorkflow, { restoreId: 'r-31', input: PITR, rds: { instances: [SOURCE_INSTANCE] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.slice(0, 3)).toEqual(['ValidateInput', 'ChooseSource', 'DetectSource']);
    expect(run.account.rds.created).toEqual(['pgsr-r-31']);
    expect(run.account.rds.deleted).toEqual(['pgsr-r-31']);
    expect(run.audit).toMatchObject({ status: 'SUCCEEDED', source: 'rds' });
  });

  test('a failing copy task ends FAILED through the cleanup branch, which deletes what the task left', async () => {
    const run = await runWorkflow(backupWorkflow, { restoreId: 'r-32', input: FROM_BACKUP, faults: { copyExitCode: 1 } });
    expectFailedAndCleaned(run, 'the restore task stopped with exit code 1: Essential container in task exited; its log is in the task\'s CloudWatch log group');
    expect(run.states).toContain('CopyFromBackup');
    expect(run.account.dms.deleteCalls).toEqual([...run.account.dms.resources.keys()]);
    expect(run.account.rds.mock.calls()).toEqual([]);
    expect(run.audit).toMatchObject({ source: 'backup' });
  });

  test('a snapshot with "source": "backup" is refused as bad input', async () => {
    const run = await runWorkflow(backupWorkflow, { restoreId: 'r-33', input: { database: 'tenants', schemas: ['customer_a1'], source: 'backup', snapshotId: 'snap-1' } });
    expectFailedAndCleaned(run, /^InvalidInputError: "snapshotId" names an RDS snapshot, not a backup/);
    expect(run.states[0]).toBe('ValidateInput');
  });

  test('on a SchemaRestore without backups it fails as bad input, before anything is created', async () => {
    const run = await runWorkflow(instanceWorkflow, { restoreId: 'r-34', input: FROM_BACKUP, rds: { instances: [SOURCE_INSTANCE] } });
    expectFailedAndCleaned(run, /^InvalidInputError: "source": "backup" needs a SchemaRestore deployed with backups/);
    expect(run.account.rds.created).toEqual([]);
    expect(run.account.copyTasks).toEqual([]);
  });
});
