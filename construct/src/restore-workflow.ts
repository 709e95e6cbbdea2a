import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RestoreFunctions } from './restore-functions';
import { RestoreTask } from './restore-task';

/** @internal */
export interface RestoreWorkflowProps {
  readonly functions: RestoreFunctions;
  readonly task: RestoreTask;
  readonly taskSubnets: ec2.SubnetSelection;
  readonly pollInterval: Duration;
  /** Polls before the temporary restore counts as timed out. */
  readonly maxPolls: number;
  readonly copyTimeout: Duration;
  readonly notificationTopic?: sns.ITopic;
  /** Whether `"source": "backup"` is deployed: then a Choice after ValidateInput runs the copy task on the backups directly. */
  readonly fromBackups?: boolean;
}

const restoreId = sfn.JsonPath.stringAt('$$.Execution.Name');

/**
 * The restore as typed Step Functions states: audit record → detect → temporary restore → bounded
 * wait loop → historical secret → copy task (or a Map of DMS tasks, one per schema) → cleanup →
 * final audit status → notification. With backups, `"source": "backup"` goes from the audit record
 * straight to the copy task (no temporary database). Every failing state is caught into one cleanup branch.
 * @internal
 */
export class RestoreWorkflow extends Construct {
  public readonly definition: sfn.IChainable;
  /** The state every failure leads to. */
  public readonly cleanupAfterFailure: sfn.TaskStateBase;

  constructor(scope: Construct, id: string, private readonly props: RestoreWorkflowProps) {
    super(scope, id);
    const fns = props.functions;

    // The failure branch itself is not caught: it is where failures go.
    this.cleanupAfterFailure = this.invoke('CleanupAfterFailure', fns.cleanup, { restoreId }, '$.cleanup', false);
    const finishFailed = this.invoke('RecordFailure', fns.finishRequest, {
      restoreId, status: 'FAILED', error: sfn.JsonPath.objectAt('$.error'), cleanup: sfn.JsonPath.objectAt('$.cleanup'),
    }, '$', false);
    // A cleanup that fails still ends in the audit record, with its own error.
    this.cleanupAfterFailure.addCatch(finishFailed, { resultPath: '$.cleanup' });
    this.cleanupAfterFailure.next(finishFailed);
    finishFailed.next(this.notify('NotifyFailure', new sfn.Fail(this, 'RestoreFailed', { error: 'SchemaRestoreFailed', causePath: '$.message' })));

    const startRequest = this.invoke('ValidateInput', fns.startRequest, { restoreId, input: sfn.JsonPath.objectAt('$$.Execution.Input') }, '$');
    const detectSource = this.invoke('DetectSource', fns.detectSource, { restoreId, request: sfn.JsonPath.objectAt('$.request') }, '$.source');
    const startTemporary = this.invoke('StartTemporaryRestore', fns.startTemporary, {
      restoreId, plan: sfn.JsonPath.objectAt('$.source.plan'), step: 'restore',
    }, '$.temporary.resource');
    const createClusterInstance = this.invoke('CreateTemporaryClusterInstance', fns.startTemporary, {
      restoreId, plan: sfn.JsonPath.objectAt('$.source.plan'), step: 'cluster-instance',
    }, '$.temporary.resource');
    const resolveSecret = this.invoke('ResolveHistoricalSecret', fns.resolveSecret, {
      restoreId,
      restorePoint: sfn.JsonPath.stringAt('$.source.restorePoint'),
      address: sfn.JsonPath.stringAt('$.temporary.status.address'),
      port: sfn.JsonPath.numberAt('$.temporary.status.port'),
      database: sfn.JsonPath.stringAt('$.request.database'),
    }, '$.secret');

    const cleanup = this.invoke('Cleanup', fns.cleanup, { restoreId }, '$.cleanup');
    // Once cleaned up, the restore has succeeded: a failure to record or announce it fails the execution (and the alarm) but must not record FAILED.
    const finishSucceeded = this.invoke('RecordSuccess', fns.finishRequest, {
      restoreId, status: 'SUCCEEDED', cleanup: sfn.JsonPath.objectAt('$.cleanup'),
    }, '$', false);
    cleanup.next(finishSucceeded);
    finishSucceeded.next(this.notify('NotifySuccess', new sfn.Succeed(this, 'RestoreSucceeded')));

    const copy = new sfn.Choice(this, 'ChooseEngine')
      .when(sfn.Condition.stringEquals('$.request.engine', 'dms'), this.dmsMap().next(cleanup))
      .otherwise(this.copyWithPgDump().next(cleanup));

    const waitLoop = this.waitUntilAvailable(new sfn.Choice(this, 'IsTemporaryClusterWithoutInstance')
      .when(sfn.Condition.stringEquals('$.temporary.resource.kind', 'rds-cluster'), createClusterInstance)
      .otherwise(resolveSecret));
    createClusterInstance.next(waitLoop);
    resolveSecret.next(copy);

    const fromRds = detectSource.next(startTemporary).next(waitLoop);
    this.definition = startRequest.next(props.fromBackups
      ? new sfn.Choice(this, 'ChooseSource')
        .when(sfn.Condition.stringEquals('$.request.source', 'backup'), this.copyFromBackup().next(cleanup))
        .otherwise(fromRds)
      : fromRds);
  }

  /** A Lambda task whose payload is its result, caught into the cleanup branch. */
  private invoke(id: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string, caught = true): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn, payload: sfn.TaskInput.fromObject(payload), payloadResponseOnly: true, resultPath,
    });
    if (caught) this.catchIntoCleanup(task);
    return task;
  }

  /** All schemas in one task with the copy engine. */
  private copyWithPgDump(): tasks.EcsRunTask {
    const run = this.copyTask('CopyWithPgDump', { request: '$.request', schemas: '$.request.schemas', secretArn: '$.secret.secretArn' });
    this.catchIntoCleanup(run);
    return run;
  }

  /** All schemas in one task, read from the TenantBackups backups (PGSR_BACKUP_LOCATION in the task definition): no temporary secret. */
  private copyFromBackup(): tasks.EcsRunTask {
    const run = this.copyTask('CopyFromBackup', { request: '$.request', schemas: '$.request.schemas' });
    this.catchIntoCleanup(run);
    return run;
  }

  private catchIntoCleanup(state: sfn.TaskStateBase | sfn.Map): void {
    state.addCatch(this.cleanupAfterFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }

  /** Poll the temporary resource until available, at most `maxPolls` times; then go to `next`. */
  private waitUntilAvailable(next: sfn.IChainable): sfn.IChainable {
    const start = new sfn.Pass(this, 'StartWaiting', { result: sfn.Result.fromObject({ polls: 0 }), resultPath: '$.temporary.wait' });
    const wait = new sfn.Wait(this, 'WaitForTemporary', { time: sfn.WaitTime.duration(this.props.pollInterval) });
    const check = this.invoke('CheckTemporary', this.props.functions.checkTemporary, { resource: sfn.JsonPath.objectAt('$.temporary.resource') }, '$.temporary.status');
    const count = new sfn.Pass(this, 'CountPoll', {
      parameters: { polls: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.temporary.wait.polls'), 1) }, resultPath: '$.temporary.wait',
    });
    const timedOut = new sfn.Pass(this, 'TemporaryRestoreTimedOut', {
      parameters: {
        Error: 'TemporaryRestoreTimedOut',
        Cause: sfn.JsonPath.format('{} was not available after {} polls; allow longer with temporaryRestoreTimeout',
          sfn.JsonPath.stringAt('$.temporary.resource.id'), sfn.JsonPath.stringAt('$.temporary.wait.polls')),
      },
      resultPath: '$.error',
    }).next(this.cleanupAfterFailure);
    return start.next(wait).next(check).next(count).next(new sfn.Choice(this, 'IsTemporaryAvailable')
      .when(sfn.Condition.stringEquals('$.temporary.status.status', 'available'), next)
      .when(sfn.Condition.numberGreaterThanEquals('$.temporary.wait.polls', this.props.maxPolls), timedOut)
      .otherwise(wait));
  }

  /**
   * The Fargate task running `pg-schema-restore restore`: the checked request, the schemas of this
   * task (a JSON list) and the temporary secret (none for a backup), read from the given paths of the state.
   */
  private copyTask(id: string, paths: { request: string; schemas: string; secretArn?: string }): tasks.EcsRunTask {
    const { task } = this.props;
    return new tasks.EcsRunTask(this, id, {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: task.cluster,
      taskDefinition: task.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: this.props.taskSubnets,
      securityGroups: [task.securityGroup],
      assignPublicIp: false,
      taskTimeout: sfn.Timeout.duration(this.props.copyTimeout),
      containerOverrides: [{
        containerDefinition: task.container,
        environment: [
          { name: 'PGSR_RESTORE_ID', value: restoreId },
          { name: 'PGSR_REQUEST', value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(paths.request)) },
          { name: 'PGSR_SCHEMAS', value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(paths.schemas)) },
          ...(paths.secretArn ? [{ name: 'PGSR_SOURCE_SECRET_ARN', value: sfn.JsonPath.stringAt(paths.secretArn) }] : []),
        ],
      }],
      resultPath: sfn.JsonPath.DISCARD,
    });
  }

  /** One DMS copy task per schema; each creates, uses and deletes its own DMS resources. */
  private dmsMap(): sfn.Map {
    const map = new sfn.Map(this, 'CopyEachSchemaWithDms', {
      itemsPath: '$.request.schemas',
      itemSelector: {
        request: sfn.JsonPath.objectAt('$.request'),
        secretArn: sfn.JsonPath.stringAt('$.secret.secretArn'),
        schemas: sfn.JsonPath.array(sfn.JsonPath.stringAt('$$.Map.Item.Value')),
      },
      // Each iteration runs its own replication instance; one at a time keeps the cost and the load on the live database flat.
      maxConcurrency: 1,
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(this.copyTask('CopyWithDms', { request: '$.request', schemas: '$.schemas', secretArn: '$.secretArn' }));
    this.catchIntoCleanup(map);
    return map;
  }

  /** Publish the outcome when a topic is configured, then end in `end`; after the final audit status, so never caught. */
  private notify(id: string, end: sfn.State): sfn.IChainable {
    const topic = this.props.notificationTopic;
    if (!topic) return end;
    return new tasks.SnsPublish(this, id, {
      topic, subject: 'pg-schema-restore', message: sfn.TaskInput.fromJsonPathAt('$.message'), resultPath: sfn.JsonPath.DISCARD,
    }).next(end);
  }
}
