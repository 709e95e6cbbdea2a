/** Any AWS SDK v3 client: what the status trail needs of it. */
export interface SendingClient {
  send(command: never, ...rest: never[]): Promise<unknown>;
}

/**
 * A view of an AWS SDK client that reports each new status a waiter reads — so people see
 * `creating → backing-up → available` — while the SDK's own waiter does the polling.
 *
 * @example
 * const [client, trail] = observingClient(rds, (o) => (o as DescribeDBInstancesCommandOutput).DBInstances?.[0]?.DBInstanceStatus, log);
 * await waitUntilDBInstanceAvailable({ client, maxWaitTime: 3600 }, { DBInstanceIdentifier: id });
 */
export function observingClient<C extends SendingClient>(client: C, statusOf: (output: unknown) => string | undefined,
  onStatus?: (trail: readonly string[]) => void): [C, string[]] {
  const trail: string[] = [];
  const observed = Object.create(client) as C;
  const send = async (...args: Parameters<C['send']>) => {
    const output = await (client.send as (...a: unknown[]) => Promise<unknown>).apply(client, args);
    const status = statusOf(output);
    if (status !== undefined && status !== trail[trail.length - 1]) {
      trail.push(status);
      onStatus?.([...trail]);
    }
    return output;
  };
  observed.send = send as C['send'];
  return [observed, trail];
}
