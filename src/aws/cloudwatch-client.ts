import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { cloudWatchSdk } from './sdk';

// Apart from clients.ts: @aws-sdk/client-cloudwatch is a dev dependency (only the bundled task programs use it),
// so no declaration file the package's entries reach may name it.

/**
 * The CloudWatch client to use (the backup and drill tasks publish their metrics with it): the given one, or a default one.
 *
 * @example
 * const cloudWatch = cloudWatchClientOf(deps);
 */
export function cloudWatchClientOf(clients: { readonly cloudWatch?: CloudWatchClient } | undefined): CloudWatchClient {
  return clients?.cloudWatch ?? new cloudWatchSdk.CloudWatchClient({});
}
