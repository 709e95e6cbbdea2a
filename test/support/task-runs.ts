import { EventEmitter } from 'node:events';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { ScheduledTaskDeps } from '../../src/handlers/scheduled-task';

/** What a task program did: its exit status, outputs and the PutMetricData calls it made. */
export interface TaskRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The first PutMetricData's metrics by name. */
  readonly metrics: Record<string, MetricDatum>;
  readonly putMetricData: PutMetricDataCommandInput[];
}

/** Options of {@link runTaskProgram}. */
export interface RunTaskProgramOptions {
  /** The task definition's environment. */
  readonly env: Record<string, string>;
  /** Further dependencies (the Secrets Manager and S3 clients, signals, …); win over the defaults. */
  readonly deps?: Partial<ScheduledTaskDeps>;
  /** Sees each stdout line as it is written (to send a signal midway). */
  readonly onLine?: (line: string) => void;
}

/**
 * Run a task program's real entry function (runBackupTask, runDrillTask) with plain connections (the
 * local cluster has no TLS), fake signals, captured stdout/stderr, and CloudWatch mocked
 * (aws-sdk-client-mock) to capture PutMetricData.
 */
export async function runTaskProgram(program: (deps: ScheduledTaskDeps) => Promise<number>, options: RunTaskProgramOptions): Promise<TaskRun> {
  const cloudWatch = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const mock = mockClient(cloudWatch);
  mock.on(PutMetricDataCommand).resolves({});
  let stdout = '';
  let stderr = '';
  const status = await program({
    env: options.env,
    cloudWatch,
    databaseTls: 'off',
    signals: new EventEmitter(),
    stdout: {
      write: (text: string) => {
        stdout += text;
        options.onLine?.(text);
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
    },
    ...options.deps,
  });
  const putMetricData = mock.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
  const metrics = Object.fromEntries((putMetricData[0]?.MetricData ?? []).map((m) => [m.MetricName!, m]));
  return { status, stdout, stderr, putMetricData, metrics };
}
