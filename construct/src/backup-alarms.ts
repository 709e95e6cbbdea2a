import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './backup-permissions';

/** @internal */
export interface BackupAlarmsProps {
  /** The `BackupSet` and `Database` dimensions of the tasks' metrics. */
  readonly backupSet: string;
  readonly databaseName: string;
  /** Whole hours without a successful backup before `NoRecentBackup` goes off. */
  readonly maxBackupAgeHours: number;
  readonly shrinkAlarmPercent: number;
  readonly withDrill: boolean;
  readonly notificationTopic?: sns.ITopic;
  /** Task definitions whose failed runs (a non-zero exit) are sent to the topic. */
  readonly taskDefinitions: ecs.ITaskDefinition[];
}

const HOUR = Duration.hours(1);

/**
 * A metric the backup or drill task of one TenantBackups publishes: namespace `PgSchemaRestore`, dimensions `BackupSet` and `Database`.
 * @internal
 */
export function backupSetMetric(
  set: { readonly backupSet: string; readonly databaseName: string }, metricName: string, options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    ...options,
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...options.dimensionsMap, BackupSet: set.backupSet, Database: set.databaseName },
  });
}

/**
 * The alarms on the metrics the backup and drill tasks publish (issue 15 contract), each sent to the
 * topic when one is given; and a rule that tells the topic about a task that stopped with an error,
 * which catches a task killed before it could publish its metrics.
 * @internal
 */
export class BackupAlarms extends Construct {
  public readonly noRecentBackup: cloudwatch.Alarm;
  public readonly backupFailed: cloudwatch.Alarm;
  public readonly backupShrank: cloudwatch.Alarm;
  public readonly drillFailed?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, private readonly props: BackupAlarmsProps) {
    super(scope, id);
    const hours = props.maxBackupAgeHours;
    this.noRecentBackup = this.alarm('NoRecentBackup', 'BackupSucceeded', cloudwatch.Stats.SUM, {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `No pg-schema-restore backup of ${props.databaseName} succeeded in the last ${hours} hours`,
    });
    this.backupFailed = this.alarm('BackupFailed', 'BackupFailed', cloudwatch.Stats.SUM, {
      ...atLeastOnce,
      alarmDescription: `A pg-schema-restore backup of ${props.databaseName} failed; the backup task's logs say why`,
    });
    this.backupShrank = this.alarm('BackupShrank', 'BackupSizeRatio', cloudwatch.Stats.MINIMUM, {
      threshold: 1 - props.shrinkAlarmPercent / 100,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `A pg-schema-restore backup of ${props.databaseName} is more than ${props.shrinkAlarmPercent}% smaller than the median of the runs before it`,
    });
    if (props.withDrill) {
      this.drillFailed = this.alarm('DrillFailed', 'DrillFailed', cloudwatch.Stats.SUM, {
        ...atLeastOnce,
        alarmDescription: `A pg-schema-restore restore drill of ${props.databaseName} failed or found its newest backup too old; its report is in the bucket under drills/`,
      });
    }
    if (props.notificationTopic) this.notifyStoppedTasks(props.notificationTopic);
  }

  /** Every alarm. */
  public get all(): cloudwatch.Alarm[] {
    return [this.noRecentBackup, this.backupFailed, this.backupShrank, ...(this.drillFailed ? [this.drillFailed] : [])];
  }

  private alarm(id: string, metricName: string, statistic: string, options: Omit<cloudwatch.AlarmProps, 'metric'>): cloudwatch.Alarm {
    const metric = backupSetMetric(this.props, metricName, { statistic, period: HOUR });
    const alarm = new cloudwatch.Alarm(this, id, { metric, ...options });
    if (this.props.notificationTopic) alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.props.notificationTopic));
    return alarm;
  }

  private notifyStoppedTasks(topic: sns.ITopic): void {
    new events.Rule(this, 'TaskStoppedWithError', {
      description: 'A pg-schema-restore backup or drill task stopped with a non-zero exit code',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          lastStatus: ['STOPPED'],
          taskDefinitionArn: this.props.taskDefinitions.map((definition) => definition.taskDefinitionArn),
          containers: { exitCode: [{ 'anything-but': 0 }] },
        },
      },
      targets: [new targets.SnsTopic(topic)],
    });
  }
}

const atLeastOnce = {
  threshold: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
};
