import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { requiredEnv, type HandlerEnv } from './handler-context';
import { cloudWatchSdk } from '../aws/sdk';

/** One value for CloudWatch, in the units the TenantBackups alarms and dashboards expect. */
export interface TaskMetric {
  /** `BackupSucceeded`, `DrillRto`, … */
  readonly name: string;
  readonly unit: 'Count' | 'Bytes' | 'Seconds' | 'None';
  readonly value: number;
}

/** Where the metrics of a backup set go: the namespace and the two dimensions every metric carries. */
export interface MetricTarget {
  /** `PGSR_METRICS_NAMESPACE`, e.g. `PgSchemaRestore`. */
  readonly namespace: string;
  /** `PGSR_BACKUP_SET`: the TenantBackups construct's unique name. */
  readonly backupSet: string;
  /** `PGSR_DATABASE_NAME`. */
  readonly database: string;
}

/**
 * The metric namespace and dimensions the construct set in the task's environment.
 *
 * @example
 * const target = metricTargetOf(process.env);
 */
export function metricTargetOf(env: HandlerEnv): MetricTarget {
  return {
    namespace: requiredEnv(env, 'PGSR_METRICS_NAMESPACE'),
    backupSet: requiredEnv(env, 'PGSR_BACKUP_SET'),
    database: requiredEnv(env, 'PGSR_DATABASE_NAME'),
  };
}

/** Options of {@link publishTaskMetrics}. */
export interface PublishTaskMetricsOptions {
  readonly cloudWatch: CloudWatchClient;
  readonly target: MetricTarget;
  readonly metrics: readonly TaskMetric[];
  /** The metrics' timestamp. */
  readonly at: Date;
}

/**
 * Publish a task's metrics in one PutMetricData call, each with exactly the dimensions `BackupSet`
 * and `Database` (the alarms of TenantBackups select on both). Values that are not finite are left
 * out: missing data, which the alarms treat as they are told to, not a made-up 0.
 *
 * @example
 * await publishTaskMetrics({ cloudWatch, target, at: new Date(), metrics: [{ name: 'BackupSucceeded', unit: 'Count', value: 1 }] });
 */
export async function publishTaskMetrics(options: PublishTaskMetricsOptions): Promise<void> {
  const { target } = options;
  const dimensions = [{ Name: 'BackupSet', Value: target.backupSet }, { Name: 'Database', Value: target.database }];
  const data = options.metrics.filter((m) => Number.isFinite(m.value)).map((m) => ({
    MetricName: m.name, Unit: m.unit, Value: m.value, Timestamp: options.at, Dimensions: dimensions,
  }));
  await options.cloudWatch.send(new cloudWatchSdk.PutMetricDataCommand({ Namespace: target.namespace, MetricData: data }));
}
