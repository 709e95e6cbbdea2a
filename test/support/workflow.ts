import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateReplicationInstanceCommand } from '@aws-sdk/client-database-migration-service';
import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import aslValidator from 'asl-validator';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { testApp } from './cdk-app';
import { FAST_DMS_WAIT, FakeDms, fakeDms } from './dms';
import { fakeAuditTable, FakeAuditTable } from './dynamodb';
import { fakeRds, FakeRds, FakeRdsOptions, NOW } from './rds';
import { RestoreDatabase } from '../../construct/src/restore-database';
import { HandlerName, RestoreFunctions } from '../../construct/src/restore-functions';
import { RestoreTask } from '../../construct/src/restore-task';
import { SchemaRestore } from '../../construct/src/schema-restore';
import { SchemaRestoreProps } from '../../construct/src/schema-restore-props';
import { TenantBackups } from '../../construct/src/tenant-backups';
import { checkTemporaryHandler } from '../../src/handlers/check-temporary.lambda';
import { cleanupHandler } from '../../src/handlers/cleanup.lambda';
import { detectSourceHandler } from '../../src/handlers/detect-source.lambda';
import { finishRequestHandler } from '../../src/handlers/finish-request.lambda';
import { auditLedger, auditTableOf } from '../../src/handlers/handler-context';
import { resolveSecretHandler } from '../../src/handlers/resolve-secret.lambda';
import { startRequestHandler } from '../../src/handlers/start-request.lambda';
import { startTemporaryHandler } from '../../src/handlers/start-temporary.lambda';

// aws-local-stepfunctions 3 targets Node 22; on Node 20 it needs Promise.withResolvers.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** The Amazon States Language the local runner and the validator take. */
export type AslDefinition = ConstructorParameters<typeof StateMachine>[0];
type Json = Parameters<StateMachine['run']>[0];

const FAKE_ACCOUNT = 'arn:aws:lambda:eu-west-1:123456789012:function';
const PSEUDO_PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

/** A CloudFormation value with each reference replaced by the logical ID (Ref) or a fake ARN naming it (GetAtt Arn). */
function withFakeReferences(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return PSEUDO_PARAMETERS[v.Ref] ?? String(v.Ref);
  if (v['Fn::GetAtt']) return `${FAKE_ACCOUNT}:${v['Fn::GetAtt'][0]}`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(withFakeReferences).join(v['Fn::Join'][0]);
  throw new Error(`the workflow test cannot stand in for ${JSON.stringify(value)}`);
}

/** The construct's handlers prebuilt into construct/assets/handlers/, which `Code.fromAsset` needs at synth; bundled here on a fresh clone. */
export function ensureHandlerAssets(): void {
  const root = join(__dirname, '..', '..');
  if (!existsSync(join(root, 'construct', 'assets', 'handlers', 'finish-request', 'index.js'))) {
    execFileSync('npx', ['projen', 'bundle:handlers'], { cwd: root, stdio: 'ignore' });
  }
}

/** The SchemaRestore as synthesized: its state machine, and for each handler its state machine ARN and environment. */
export interface SynthesizedWorkflow {
  readonly definition: AslDefinition;
  readonly functions: ReadonlyMap<HandlerName, { readonly arn: string; readonly env: Record<string, string> }>;
  /** The copy task's container environment in its task definition (before the state machine's overrides). */
  readonly taskEnvironment: Record<string, string>;
}

/** Options of {@link synthesizeWorkflow} beyond the SchemaRestore's props. */
export interface SynthesizeWorkflowOptions {
  /** Deploy with `backups`: a TenantBackups of the database, its bucket under this prefix. */
  readonly backupsPrefix?: string;
}

const HANDLER_FIELDS: Record<HandlerName, keyof RestoreFunctions> = {
  'start-request': 'startRequest',
  'detect-source': 'detectSource',
  'start-temporary': 'startTemporary',
  'check-temporary': 'checkTemporary',
  'resolve-secret': 'resolveSecret',
  'cleanup': 'cleanup',
  'finish-request': 'finishRequest',
};

/**
 * Synthesize a SchemaRestore for a database known by its identifier (so that the handlers get it
 * literally) and read back its state machine and its functions' environments.
 *
 * @example
 * const { definition } = synthesizeWorkflow('prod-db', { copyEngine: CopyEngine.DMS });
 * const fromBackups = synthesizeWorkflow('prod-db', {}, { backupsPrefix: 'team-a/' });
 */
export function synthesizeWorkflow(sourceId: string, props: Partial<SchemaRestoreProps> = {},
  options: SynthesizeWorkflowOptions = {}): SynthesizedWorkflow {
  ensureHandlerAssets();
  const stack = new Stack(testApp(), 'Workflow', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const database = RestoreDatabase.fromIdentifier(sourceId);
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${sourceId}-AbCdEf`);
  const backups = options.backupsPrefix === undefined ? undefined
    : new TenantBackups(stack, 'Backups', { database, secret, databaseName: 'tenants', vpc, prefix: options.backupsPrefix });
  const restore = new SchemaRestore(stack, 'SchemaRestore', {
    database,
    secret,
    vpc,
    ...(backups ? { backups } : {}),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/pg-schema-restore:test'),
    pollInterval: Duration.minutes(1),
    temporaryRestoreTimeout: Duration.minutes(3),
    ...props,
  });
  const template = Template.fromStack(stack).toJSON();
  const machine = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const functions = restore.node.findChild('Functions') as RestoreFunctions;
  const entries = Object.entries(HANDLER_FIELDS).map(([name, field]) => {
    const logicalId = stack.resolve((functions[field] as any).node.defaultChild.logicalId) as string;
    const variables = template.Resources[logicalId].Properties.Environment.Variables as Record<string, unknown>;
    const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, withFakeReferences(v)]));
    return [name as HandlerName, { arn: `${FAKE_ACCOUNT}:${logicalId}`, env }] as const;
  });
  const { taskDefinition } = restore.node.findChild('CopyTask') as RestoreTask;
  const container = template.Resources[stack.resolve((taskDefinition.node.defaultChild as any).logicalId)].Properties.ContainerDefinitions[0];
  const variables = container.Environment as Array<{ Name: string; Value: unknown }>;
  const taskEnvironment = Object.fromEntries(variables.map((e) => [e.Name, withFakeReferences(e.Value)]));
  return { definition: JSON.parse(withFakeReferences(machine.Properties.DefinitionString)), functions: new Map(entries), taskEnvironment };
}

/** asl-validator's findings; empty when the definition is valid Amazon States Language. */
export function aslErrors(definition: AslDefinition): string[] {
  // The validator annotates what it is given.
  const result = aslValidator(structuredClone(definition));
  return result.isValid ? [] : result.errors.map((e) => e.message ?? JSON.stringify(e));
}

/** An ECS RunTask as the state machine gives it: the container's overridden environment by name. */
export interface CopyTaskRun {
  readonly state: string;
  readonly environment: Record<string, string>;
}

/** The fake AWS account a local execution runs against. */
export interface WorkflowAccount {
  readonly rds: FakeRds;
  readonly table: FakeAuditTable;
  readonly dms: FakeDms;
  readonly secretsManager: SecretsManagerClient;
  /** Secret ARNs that received their delete call. */
  readonly deletedSecrets: string[];
  /** Every copy task started, in order. */
  readonly copyTasks: CopyTaskRun[];
}

/** Where each phase of a scenario misbehaves. */
export interface WorkflowFaults {
  /** The login of the restore point cannot be found. */
  readonly secret?: Error;
  /** The copy task (or a DMS iteration) stops with this exit code, after creating a DMS replication instance that it does not delete. */
  readonly copyExitCode?: number;
  /** After a successful copy, the audit table refuses the next call: the cleanup's read of the ledger. */
  readonly auditTableAfterCopy?: Error;
}

/** Options of {@link runWorkflow}. */
export interface RunWorkflowOptions {
  readonly restoreId: string;
  readonly input: unknown;
  readonly rds?: FakeRdsOptions;
  readonly faults?: WorkflowFaults;
  /** Change the fake account before the execution starts (e.g. make a call fail). */
  readonly arrange?: (account: WorkflowAccount) => void;
}

/** How a local execution ended, with the account it left behind. */
export interface WorkflowRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  /** Names of the states entered, in order. */
  readonly states: string[];
  readonly account: WorkflowAccount;
  /** The restore's audit record. */
  readonly audit: Record<string, unknown> | undefined;
}

/** A handler error as Lambda reports it to Step Functions: the error type, and a JSON cause with its message. */
function asLambda(handler: (event: any) => Promise<unknown>): (input: Json) => Promise<Json> {
  return async (input) => {
    try {
      return JSON.parse(JSON.stringify(await handler(input))) as Json;
    } catch (err) {
      const e = err as Error;
      throw Object.assign(new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message })), { name: e.name });
    }
  };
}

function fakeSecretsManager(deletedSecrets: string[]): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  mockClient(client).on(DeleteSecretCommand).callsFake(async (input: { SecretId: string }) => {
    deletedSecrets.push(input.SecretId);
    return {};
  });
  return client;
}

/** The stand-in for `ecs:runTask.sync`: records the task, and with a fault leaves a DMS instance behind and stops as ECS reports it. */
function copyTask(state: string, account: WorkflowAccount, restoreId: string, faults: WorkflowFaults) {
  let runs = 0;
  return async (input: Json): Promise<Json> => {
    const overrides = (input as any).Overrides.ContainerOverrides[0].Environment as Array<{ Name: string; Value: string }>;
    account.copyTasks.push({ state, environment: Object.fromEntries(overrides.map((e) => [e.Name, e.Value])) });
    if (faults.copyExitCode === undefined) {
      if (faults.auditTableAfterCopy) account.table.failNext.push(faults.auditTableAfterCopy);
      return {};
    }
    const created = await account.dms.client.send(new CreateReplicationInstanceCommand({
      ReplicationInstanceIdentifier: `pgsr-${restoreId}-dms-${++runs}`, ReplicationInstanceClass: 'dms.t3.medium',
    }));
    await auditLedger(auditTableOf({ dynamodb: account.table.client, env: { AUDIT_TABLE_NAME: account.table.tableName } }), restoreId)
      .record({ kind: 'dms-replication-instance', id: created.ReplicationInstance!.ReplicationInstanceArn! });
    const cause = { StoppedReason: 'Essential container in task exited', Containers: [{ ExitCode: faults.copyExitCode }] };
    throw Object.assign(new Error(JSON.stringify(cause)), { name: 'States.TaskFailed' });
  };
}

/** Every Task state of a definition, Map iterations included. */
function taskStates(definition: AslDefinition): Array<[string, Record<string, any>]> {
  return Object.entries(definition.States as Record<string, any>).flatMap(([name, state]) => {
    if (state.Type === 'Map') return taskStates(state.ItemProcessor ?? state.Iterator);
    return state.Type === 'Task' ? [[name, state] as [string, Record<string, any>]] : [];
  });
}

/**
 * The definition as aws-local-stepfunctions 3.0 reads it: it sets `ResultPath: "$"` as a field named
 * `$` instead of replacing the state, so that ResultPath becomes its equivalent, no ResultPath.
 */
function forLocalRunner(definition: AslDefinition): AslDefinition {
  return JSON.parse(JSON.stringify(definition), (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && value.ResultPath === '$') {
      const { ResultPath: _replacesTheState, ...rest } = value;
      return rest;
    }
    return value;
  });
}

/**
 * Run the synthesized state machine locally (aws-local-stepfunctions): each Lambda task is the real
 * handler with its environment from the template and the fake account's clients, the copy task a
 * fake, and every Wait state instant.
 *
 * @example
 * const run = await runWorkflow(synthesizeWorkflow('prod-db'), { restoreId: 'r-1', input: { … } });
 */
export async function runWorkflow(workflow: SynthesizedWorkflow, options: RunWorkflowOptions): Promise<WorkflowRun> {
  const { restoreId, faults = {} } = options;
  const deletedSecrets: string[] = [];
  const account: WorkflowAccount = {
    rds: fakeRds(options.rds),
    table: fakeAuditTable(workflow.functions.get('cleanup')!.env.AUDIT_TABLE_NAME),
    dms: fakeDms(),
    secretsManager: fakeSecretsManager(deletedSecrets),
    deletedSecrets,
    copyTasks: [],
  };
  options.arrange?.(account);
  const clients = { rds: account.rds.client, dynamodb: account.table.client, secretsManager: account.secretsManager, dms: account.dms.client };
  const quiet = () => undefined;
  const env = (name: HandlerName) => workflow.functions.get(name)!.env;
  const handlers: Record<HandlerName, (event: any) => Promise<unknown>> = {
    'start-request': startRequestHandler({ ...clients, env: env('start-request'), now: () => NOW }),
    'detect-source': detectSourceHandler({ ...clients, env: env('detect-source') }),
    'start-temporary': startTemporaryHandler({ ...clients, env: env('start-temporary'), now: () => NOW }),
    'check-temporary': checkTemporaryHandler(clients),
    'resolve-secret': resolveSecretHandler({
      ...clients,
      env: env('resolve-secret'),
      // The login check needs a database server; the stand-in records its temporary secret in the ledger as the SDK does.
      resolve: async ({ ledger, host }) => {
        if (faults.secret) throw faults.secret;
        const temporarySecretArn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore/${restoreId}-XyZ`;
        await ledger!.record({ kind: 'secret', id: temporarySecretArn });
        return { versionId: 'v1', credentials: { username: 'postgres', password: 'hunter2', host }, temporarySecretArn };
      },
    }),
    'cleanup': cleanupHandler({ ...clients, env: env('cleanup'), onProgress: quiet, awsWait: FAST_DMS_WAIT }),
    'finish-request': finishRequestHandler({ ...clients, env: env('finish-request'), now: () => NOW }),
  };
  const byArn = new Map([...workflow.functions].map(([name, fn]) => [fn.arn, handlers[name]]));
  const local: Record<string, (input: Json) => Promise<Json>> = {};
  for (const [name, state] of taskStates(workflow.definition)) {
    const lambda = byArn.get(state.Resource);
    if (lambda) local[name] = asLambda(lambda);
    else if (state.Resource === 'arn:aws:states:::ecs:runTask.sync') local[name] = copyTask(name, account, restoreId, faults);
    else throw new Error(`no local stand-in for the task state ${name} (${state.Resource})`);
  }
  const waits = Object.fromEntries(Object.entries(workflow.definition.States as Record<string, any>).filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, 0]));

  const execution = new StateMachine(forLocalRunner(workflow.definition)).run(options.input as Json, {
    overrides: { taskResourceLocalHandlers: local, waitTimeOverrides: waits },
    context: { Execution: { Name: restoreId, Input: options.input as Json, StartTime: NOW.toISOString() } },
  });
  const states: string[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) if (event.type === 'StateEntered') states.push(event.state.name);
  })();
  let outcome: Pick<WorkflowRun, 'status' | 'output' | 'error'>;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (err) {
    outcome = { status: 'FAILED', error: (err as Error).message };
  }
  await collecting;
  return { ...outcome, states, account, audit: account.table.items.get(restoreId) };
}
