import type {
  DatabaseMigrationServiceClient,
  DescribeConnectionsCommandOutput,
  DescribeEndpointsCommandOutput,
  Tag,
} from '@aws-sdk/client-database-migration-service';
import { runDmsWaiter, WaitForDmsOptions } from '../../aws/dms-waiters';
import { explainAwsResourceError } from '../../aws/explain-aws-error';
import { dmsSdk } from '../../aws/sdk';
import { AwsResourceError } from '../../errors';

/** A PostgreSQL endpoint whose login DMS reads from Secrets Manager. */
export interface DmsEndpointSpec {
  readonly role: 'source' | 'target';
  /** `pgsr-<restoreId>-source`. */
  readonly identifier: string;
  /** Secret with `host`, `port`, `username`, `password`. */
  readonly secretArn: string;
  /** Role DMS assumes to read the secret. */
  readonly accessRoleArn: string;
  readonly databaseName: string;
  readonly sslMode: 'require' | 'verify-full';
  readonly certificateArn?: string;
  readonly tags: Tag[];
}

/**
 * Create a PostgreSQL endpoint and return its ARN. No host, user or password is sent: DMS reads
 * them from the secret. The source endpoint fails a task rather than cut a large value short.
 *
 * @example
 * const arn = await createDmsEndpoint(dms, { role: 'source', identifier: 'pgsr-3f2a-source', secretArn, accessRoleArn,
 *   databaseName: 'tenant_a', sslMode: 'require', tags });
 */
export async function createDmsEndpoint(dms: DatabaseMigrationServiceClient, spec: DmsEndpointSpec, signal?: AbortSignal): Promise<string> {
  try {
    const out = await dms.send(new dmsSdk.CreateEndpointCommand({
      EndpointIdentifier: spec.identifier,
      EndpointType: spec.role,
      EngineName: 'postgres',
      DatabaseName: spec.databaseName,
      SslMode: spec.sslMode,
      ...(spec.certificateArn ? { CertificateArn: spec.certificateArn } : {}),
      PostgreSQLSettings: {
        SecretsManagerSecretId: spec.secretArn,
        SecretsManagerAccessRoleArn: spec.accessRoleArn,
        DatabaseName: spec.databaseName,
        ...(spec.role === 'source' ? { FailTasksOnLobTruncation: true } : {}),
      },
      Tags: spec.tags,
    }), { abortSignal: signal });
    const arn = out.Endpoint?.EndpointArn;
    if (!arn) throw new AwsResourceError(spec.identifier, `CreateEndpoint returned no ARN for ${spec.identifier}; delete it in the DMS console and retry`);
    return arn;
  } catch (err) {
    throw explainAwsResourceError('dms', err, `create the ${spec.role} endpoint ${spec.identifier}`, spec.identifier);
  }
}

/** The state of one endpoint's connection test, as DescribeConnections reports it. */
export interface DmsConnectionState {
  /** `testing`, `successful`, `failed`, `deleting`; undefined when never tested. */
  readonly status?: string;
  readonly lastFailureMessage?: string;
}

const connectionFilter = (instanceArn: string, endpointArn: string) => ({
  Filters: [{ Name: 'endpoint-arn', Values: [endpointArn] }, { Name: 'replication-instance-arn', Values: [instanceArn] }],
});
const connectionStatus = (o: unknown) => (o as DescribeConnectionsCommandOutput | undefined)?.Connections?.[0]?.Status;

/**
 * Read the last connection test of an endpoint from a replication instance (one DescribeConnections call).
 *
 * @example
 * const { status, lastFailureMessage } = await checkDmsConnection(dms, instanceArn, endpointArn);
 */
export async function checkDmsConnection(dms: DatabaseMigrationServiceClient, instanceArn: string, endpointArn: string): Promise<DmsConnectionState> {
  const connection = (await dms.send(new dmsSdk.DescribeConnectionsCommand(connectionFilter(instanceArn, endpointArn)))).Connections?.[0];
  return { status: connection?.Status, lastFailureMessage: connection?.LastFailureMessage };
}

/** Options of {@link testDmsEndpoint}. */
export interface TestDmsEndpointOptions extends WaitForDmsOptions {
  readonly instanceArn: string;
  readonly endpointArn: string;
  readonly spec: Pick<DmsEndpointSpec, 'role' | 'identifier' | 'secretArn' | 'accessRoleArn'>;
}

/**
 * Test that the replication instance can log into the endpoint's database (TestConnection, then the
 * SDK's `waitUntilTestConnectionSucceeds`). A failed test throws one line naming the endpoint, DMS's
 * reason and the usual fixes.
 *
 * @example
 * await testDmsEndpoint({ dms, instanceArn, endpointArn, spec, signal });
 */
export async function testDmsEndpoint(options: TestDmsEndpointOptions): Promise<void> {
  const { dms, instanceArn, endpointArn, spec } = options;
  try {
    const test = new dmsSdk.TestConnectionCommand({ ReplicationInstanceArn: instanceArn, EndpointArn: endpointArn });
    await dms.send(test, { abortSignal: options.signal });
  } catch (err) {
    throw explainAwsResourceError('dms', err, `test the ${spec.role} endpoint ${spec.identifier}`, spec.identifier);
  }
  const { reached } = await runDmsWaiter(dmsSdk.waitUntilTestConnectionSucceeds, connectionFilter(instanceArn, endpointArn),
    spec.identifier, 'connected', connectionStatus, options);
  if (reached) return;
  const { lastFailureMessage } = await checkDmsConnection(dms, instanceArn, endpointArn).catch(() => ({ lastFailureMessage: undefined }));
  const reason = (lastFailureMessage ?? 'no reason given').replace(/\s+/g, ' ').trim();
  throw new AwsResourceError(spec.identifier, `DMS cannot connect to the ${spec.role} database through endpoint ${spec.identifier}: ${reason}; ` +
    'check that the replication instance\'s security groups reach the database and the database\'s security groups admit it, ' +
    `that secret ${spec.secretArn} holds host, port, username and password, and that role ${spec.accessRoleArn} may read it`,
  { code: 'DMS_CONNECTION_FAILED' });
}

const endpointStatus = (o: unknown) => (o as DescribeEndpointsCommandOutput | undefined)?.Endpoints?.[0]?.Status;

/**
 * Wait, with the SDK's `waitUntilEndpointDeleted`, until an endpoint is gone.
 *
 * @example
 * await waitForEndpointDeleted(arn, { dms });
 */
export async function waitForEndpointDeleted(arn: string, options: WaitForDmsOptions): Promise<void> {
  const { reached, status } = await runDmsWaiter(dmsSdk.waitUntilEndpointDeleted, { Filters: [{ Name: 'endpoint-arn', Values: [arn] }] }, arn, 'deleted', endpointStatus, options);
  if (!reached) throw new AwsResourceError(arn, `endpoint ${arn} is "${status}" instead of being deleted; delete it in the DMS console`);
}
