import {
  GetSecretValueCommand, ListSecretVersionIdsCommand, ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

/** One version of a fake secret: its creation time, its labels now, and its value (an object is stored as JSON). */
export interface FakeSecretVersion {
  readonly id: string;
  readonly created: string;
  readonly stages: string[];
  readonly value?: string | Record<string, unknown>;
}

export type SecretsManagerMock = AwsStub<any, any, any>;

/** A mocked Secrets Manager, a client for it, and the ListSecretVersionIds requests as they were sent. */
export interface FakeSecretsManager {
  readonly mock: SecretsManagerMock;
  readonly client: SecretsManagerClient;
  readonly listRequests: ReadonlyArray<Record<string, unknown>>;
}

/**
 * Mock Secrets Manager (aws-sdk-client-mock) holding one secret: ListSecretVersionIds answers in pages
 * of `pageSize` with NextToken — deprecated versions (no labels) only with IncludeDeprecated, as the
 * service does — and GetSecretValue answers by VersionId. Unknown secrets or versions raise the real
 * ResourceNotFoundException.
 */
export function mockSecretVersions(secretId: string, versions: FakeSecretVersion[], pageSize = 2): FakeSecretsManager {
  const mock = mockClient(SecretsManagerClient);
  const listRequests: Array<Record<string, unknown>> = [];
  const notFound = (): ResourceNotFoundException => new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} });
  mock.on(ListSecretVersionIdsCommand).callsFake(async (input: { SecretId: string; IncludeDeprecated?: boolean; NextToken?: string }) => {
    // The SDK's paginator reuses one input object, so each request is copied as it arrives.
    listRequests.push({ ...input });
    if (input.SecretId !== secretId) throw notFound();
    const listed = versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0);
    const start = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
    const page = listed.slice(start, start + pageSize);
    const next = start + pageSize < listed.length ? `page-${start + pageSize}` : undefined;
    return {
      ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretId}-AbCdEf`,
      Name: secretId,
      Versions: page.map((v) => ({ VersionId: v.id, VersionStages: v.stages, CreatedDate: new Date(v.created), KmsKeyIds: ['DefaultEncryptionKey'] })),
      ...(next ? { NextToken: next } : {}),
    };
  });
  mock.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string; VersionId?: string }) => {
    const version = versions.find((v) => v.id === input.VersionId);
    if (input.SecretId !== secretId || !version) throw notFound();
    return {
      Name: secretId,
      VersionId: version.id,
      VersionStages: version.stages,
      CreatedDate: new Date(version.created),
      SecretString: typeof version.value === 'string' ? version.value : JSON.stringify(version.value ?? {}),
    };
  });
  return { mock, listRequests, client: new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }) };
}

/** The error AWS returns for a missing IAM permission (not a modeled exception: a plain service exception named AccessDeniedException). */
export function accessDenied(action: string): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `User: arn:aws:sts::123456789012:assumed-role/restore/session is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  });
}

/** Every text an error exposes: message, stack and its cause's, for proving that no secret leaks. */
export function errorTexts(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return [e.message, e.stack, String(e.cause), (e.cause as Error | undefined)?.stack, JSON.stringify(e)].join('\n');
}
