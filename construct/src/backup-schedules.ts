import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { RestoreTask } from './restore-task';

/** Nightly at 02:00 UTC. */
export const DEFAULT_BACKUP_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '2' });
/** Monthly, on the 1st at 04:00 UTC (after that night's backup). */
export const DEFAULT_DRILL_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '4', day: '1' });

/** One task and when it runs. @internal */
export interface ScheduledTask {
  readonly id: string;
  readonly task: RestoreTask;
  readonly schedule: events.Schedule;
  readonly description: string;
}

/** @internal */
export interface BackupSchedulesProps {
  readonly tasks: ScheduledTask[];
  readonly subnets: ec2.SelectedSubnets;
}

/**
 * Starts the backup and drill tasks on their schedules with EventBridge Scheduler rather than an
 * EventBridge rule: Scheduler is AWS's service for schedules (cron in an explicit time zone, a retry
 * policy per schedule), and its role is ours to scope — ecs:RunTask on these task definitions in
 * their cluster, and passing only their roles. (Its L2 is newer than our aws-cdk-lib floor: L1 here.)
 * @internal
 */
export class BackupSchedules extends Construct {
  public readonly role: iam.Role;
  public readonly schedules: scheduler.CfnSchedule[];

  constructor(scope: Construct, id: string, props: BackupSchedulesProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge Scheduler starts the pg-schema-restore backup and drill tasks',
    });
    this.schedules = props.tasks.map((scheduled) => this.schedule(scheduled, props.subnets));
  }

  private schedule({ id, task, schedule, description }: ScheduledTask, subnets: ec2.SelectedSubnets): scheduler.CfnSchedule {
    const definition = task.taskDefinition;
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:RunTask'],
      resources: [definition.taskDefinitionArn],
      conditions: { ArnEquals: { 'ecs:cluster': task.cluster.clusterArn } },
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [definition.taskRole.roleArn, definition.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    return new scheduler.CfnSchedule(this, id, {
      description,
      scheduleExpression: schedule.expressionString,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: task.cluster.clusterArn,
        roleArn: this.role.roleArn,
        // A start that fails (no Fargate capacity, throttling) is retried for an hour; a missed night is what the NoRecentBackup alarm reports.
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        ecsParameters: {
          taskDefinitionArn: definition.taskDefinitionArn,
          launchType: 'FARGATE',
          platformVersion: 'LATEST',
          taskCount: 1,
          networkConfiguration: {
            awsvpcConfiguration: { subnets: subnets.subnetIds, securityGroups: [task.securityGroup.securityGroupId], assignPublicIp: 'DISABLED' },
          },
        },
      },
    });
  }
}
