import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HandlerEnv, requiredEnv } from './handler-context';
import { RestoreRequest } from './restore-request';
import { DatabaseTls, secretDatabaseUrl, writeRdsCaFile } from './secret-database-url';
import { s3ClientOf, secretsManagerClientOf } from '../aws/clients';
import { s3Sdk } from '../aws/sdk';
import { schemaOfTable } from '../ddl/chosen-tables';

/**
 * Runs the CLI with these arguments and extra environment variables, and returns its exit status and
 * standard output. The connection strings (with their passwords) travel in the environment, never
 * in the arguments.
 */
export type RunCli = (args: string[], env: Record<string, string>) => Promise<{ status: number; stdout: string }>;

/** Side effects of {@link runRestoreTask}. */
export interface RestoreTaskDeps {
  /** @default process.env */
  readonly env?: HandlerEnv;
  readonly secretsManager?: SecretsManagerClient;
  readonly s3?: S3Client;
  /** @default the bundled `pg-schema-restore` next to this script, its output passed through */
  readonly runCli?: RunCli;
  /** Where the RDS certificate authorities are written for pg_dump and pg. @default the temporary directory */
  readonly caFile?: string;
}

/** The `--engine dms` options from the construct's settings. */
function dmsArgs(env: HandlerEnv, sourceSecretArn: string): string[] {
  return [
    '--engine', 'dms',
    '--dms-subnet-group', requiredEnv(env, 'PGSR_DMS_SUBNET_GROUP'),
    '--dms-role', requiredEnv(env, 'PGSR_DMS_ROLE_ARN'),
    '--dms-target-secret', requiredEnv(env, 'PGSR_TARGET_SECRET_ARN'),
    '--dms-source-secret', sourceSecretArn,
    ...(env.PGSR_DMS_SECURITY_GROUP ? ['--dms-security-group', env.PGSR_DMS_SECURITY_GROUP] : []),
  ];
}

/** `--source` of a restore from the TenantBackups backups: the database's backup runs, the newest at or before the restore time. */
function backupSourceArgs(env: HandlerEnv, request: RestoreRequest): string[] {
  const location = requiredEnv(env, 'PGSR_BACKUP_LOCATION');
  return ['--source', `${location}${request.database}/`, ...(request.restoreTime ? ['--at', request.restoreTime] : [])];
}

/** The temporary RDS copy as the source: its URL (in PGSR_SOURCE), and with DMS the construct's DMS settings. */
async function temporarySource(secretsManager: SecretsManagerClient, env: HandlerEnv, request: RestoreRequest, tls: DatabaseTls):
Promise<{ args: string[]; env: Record<string, string> }> {
  const sourceSecretArn = requiredEnv(env, 'PGSR_SOURCE_SECRET_ARN');
  const source = await secretDatabaseUrl({ secretsManager, secretArn: sourceSecretArn, database: request.database, tls });
  return { args: request.engine === 'dms' ? dmsArgs(env, sourceSecretArn) : [], env: { PGSR_SOURCE: source } };
}

const bundledCli: RunCli = (args, env) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [join(__dirname, 'pg-schema-restore.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  child.on('error', reject);
  child.on('close', (code) => resolve({ status: code ?? 1, stdout }));
});

/**
 * The copy task's entry point: read the temporary database's and the live database's logins from
 * their secrets (never from the task definition or the execution state), run `pg-schema-restore
 * restore` on them, and keep its JSON report in the artifact bucket. Returns the CLI's exit status.
 * With `"source": "backup"` the source is the database's folder under PGSR_BACKUP_LOCATION instead:
 * only the live database's login is read.
 *
 * @example
 * runRestoreTask().then((status) => { process.exitCode = status; });
 */
export async function runRestoreTask(deps: RestoreTaskDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const secretsManager = secretsManagerClientOf(deps);
  const restoreId = requiredEnv(env, 'PGSR_RESTORE_ID');
  // The checked execution input; PGSR_SCHEMAS narrows it to the schemas of one DMS iteration.
  const request = JSON.parse(requiredEnv(env, 'PGSR_REQUEST')) as RestoreRequest;
  const schemas = env.PGSR_SCHEMAS ? JSON.parse(env.PGSR_SCHEMAS) as string[] : request.schemas;
  const database = request.database;
  const tls = { caFile: writeRdsCaFile(deps.caFile) };
  const target = await secretDatabaseUrl({
    secretsManager,
    secretArn: requiredEnv(env, 'PGSR_TARGET_SECRET_ARN'),
    database,
    tls,
    fallback: { host: env.PGSR_TARGET_HOST, port: env.PGSR_TARGET_PORT },
  });
  const { args: sourceArgs, env: sourceEnv } = request.source === 'backup'
    ? { args: backupSourceArgs(env, request), env: {} }
    : await temporarySource(secretsManager, env, request, tls);
  // A DMS iteration restores one schema: only that schema's tables.
  const tables = (request.tables ?? []).filter((t) => schemas.includes(schemaOfTable(t, request.schemas) ?? ''));
  // The URLs carry the passwords: PGSR_SOURCE/PGSR_TARGET, not --source/--target, so no command line shows them.
  const args = [
    'restore', ...sourceArgs, ...schemas.flatMap((s) => ['--schema', s]), ...tables.flatMap((t) => ['--table', t]), '--json',
    ...(request.suffix ? ['--suffix', request.suffix] : []),
  ];
  const { status, stdout } = await (deps.runCli ?? bundledCli)(args, { ...sourceEnv, PGSR_TARGET: target });
  if (env.PGSR_ARTIFACT_BUCKET && stdout.trim() !== '') {
    const s3 = s3ClientOf(deps);
    await s3.send(new s3Sdk.PutObjectCommand({
      Bucket: env.PGSR_ARTIFACT_BUCKET, Key: `${restoreId}/${schemas.join('+')}.report.json`, Body: stdout, ContentType: 'application/json',
    }));
  }
  return status;
}

if (require.main === module) {
  runRestoreTask().then((status) => {
    process.exitCode = status;
  }, (err: unknown) => {
    process.stderr.write(`restore-task: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
