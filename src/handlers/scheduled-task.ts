import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HandlerEnv, progressLines } from './handler-context';
import type { HandlerDeps } from './handler-deps';
import { DatabaseTls, writeRdsCaFile } from './secret-database-url';
import { MetricTarget, metricTargetOf, publishTaskMetrics, TaskMetric } from './task-metrics';
import { secretsManagerClientOf } from '../aws/clients';
import { cloudWatchClientOf } from '../aws/cloudwatch-client';
import type { SignalSource } from '../cli/cli-deps';
import { EXIT_CODES, scrubAll } from '../cli/cli-errors';
import { withInterrupt } from '../cli/interrupt';
import type { ProgressListener } from '../progress';

/** Where a task program writes: `process.stdout` / `process.stderr`, or a test buffer. */
export interface TaskOutput {
  write(text: string): unknown;
}

/** What the backup and drill task programs take from outside, so that tests pass their own. */
export interface ScheduledTaskDeps extends HandlerDeps {
  readonly secretsManager?: SecretsManagerClient;
  /** @default - a client from the default credential chain (`AWS_ENDPOINT_URL_S3` honoured) */
  readonly s3?: S3Client;
  readonly cloudWatch?: CloudWatchClient;
  /** Where the RDS certificate authorities are written for pg_dump and pg. @default the temporary directory */
  readonly caFile?: string;
  /**
   * `'off'`: connect without TLS — tests on a local server only. A dependency, never an environment
   * variable, so that no deployment can downgrade the verified TLS of production connections.
   * @default - TLS verify-full against the RDS certificate authorities
   */
  readonly databaseTls?: 'off';
  /** @default process */
  readonly signals?: SignalSource;
  /** Progress, one JSON line per event. @default process.stdout */
  readonly stdout?: TaskOutput;
  /** One line per failure. @default process.stderr */
  readonly stderr?: TaskOutput;
  /** Leave at once (a second SIGTERM/SIGINT). @default process.exit */
  readonly exit?: (code: number) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What a task program's steps get: its settings' sources, the abort signal and its outputs. */
export interface TaskContext {
  readonly env: HandlerEnv;
  readonly deps: ScheduledTaskDeps;
  readonly secretsManager: SecretsManagerClient;
  readonly metrics: MetricTarget;
  readonly tls: DatabaseTls;
  /** Aborted by SIGTERM (ECS stopping the task, its timeout) or SIGINT. */
  readonly signal: AbortSignal;
  readonly onProgress: ProgressListener;
  readonly now: () => Date;
  /** Remember a URL with a password: every output line is scrubbed of it. Returns the URL. */
  secret(url: string): string;
  /** Write one line on stderr, scrubbed: something went wrong that the exit status also says. */
  fail(message: string): void;
}

/** A task program's result: its exit status and the metrics to publish. */
export interface TaskOutcome {
  readonly status: number;
  readonly metrics: readonly TaskMetric[];
}

/** The two halves of a task program. */
export interface TaskSteps {
  /** The metrics of a failed or aborted run. */
  readonly failure: readonly TaskMetric[];
  /** Do the work. Throwing (or an abort) is a failure, published as `failure` (+ `failureDetails`). */
  run(task: TaskContext): Promise<TaskOutcome>;
  /** More metrics of a failed run that need a look outside; best effort: if it throws, they are left out. */
  failureDetails?(task: TaskContext): Promise<readonly TaskMetric[]>;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join(' ') || 'failed without a message';
}

/**
 * Run a scheduled task program (backup, drill): SIGTERM/SIGINT abort its work through an
 * AbortSignal (a second one leaves at once), a failure becomes one scrubbed line on stderr and the
 * `failed` metrics, and the metrics are published in one call whatever happened. Returns the exit
 * status: the work's, 1 for a failure, 130 after an abort.
 *
 * @example
 * return runScheduledTask('backup-task', deps, { run: backUp, failure: [{ name: 'BackupFailed', unit: 'Count', value: 1 }] });
 */
export async function runScheduledTask(program: string, deps: ScheduledTaskDeps, steps: TaskSteps): Promise<number> {
  const env = deps.env ?? process.env;
  const stderr = deps.stderr ?? process.stderr;
  const secrets: string[] = [];
  const scrub = (text: string): string => scrubAll(text, secrets);
  const fail = (message: string): void => void stderr.write(`${program}: ${scrub(message)}\n`);
  let metrics: MetricTarget;
  try {
    metrics = metricTargetOf(env);
  } catch (err) {
    // Without the namespace and dimensions there is nowhere to publish: the exit status and this line say it.
    fail(oneLine(err));
    return EXIT_CODES.failure;
  }
  const signals = deps.signals ?? process;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  return withInterrupt({ signals, stderr, exit }, async (signal) => {
    const task: TaskContext = {
      env,
      deps,
      metrics,
      signal,
      secretsManager: secretsManagerClientOf(deps),
      tls: deps.databaseTls ?? { caFile: writeRdsCaFile(deps.caFile) },
      onProgress: progressLines(deps.stdout ?? process.stdout, scrub),
      now: deps.now ?? (() => new Date()),
      secret: (url) => {
        secrets.push(url);
        return url;
      },
      fail,
    };
    let outcome: TaskOutcome;
    try {
      outcome = await steps.run(task);
    } catch (err) {
      fail(oneLine(err));
      const details = await steps.failureDetails?.(task).catch(() => []) ?? [];
      outcome = { status: signal.aborted ? EXIT_CODES.interrupted : EXIT_CODES.failure, metrics: [...steps.failure, ...details] };
    }
    try {
      await publishTaskMetrics({ cloudWatch: cloudWatchClientOf(deps), target: metrics, metrics: outcome.metrics, at: task.now() });
    } catch (err) {
      fail(`publishing the metrics to CloudWatch failed: ${oneLine(err)}`);
      return outcome.status === EXIT_CODES.ok ? EXIT_CODES.failure : outcome.status;
    }
    return outcome.status;
  });
}

/**
 * One database's directory under a location of several databases' runs.
 *
 * @example
 * databaseLocation('s3://backups/tenants/backups/', 'app'); // 's3://backups/tenants/backups/app/'
 */
export function databaseLocation(location: string, database: string): string {
  return `${location.endsWith('/') ? location : `${location}/`}${database}/`;
}
