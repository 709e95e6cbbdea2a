import { randomInt } from 'node:crypto';
import { ConnectionOptions } from 'node:tls';
import type { RDSClient } from '@aws-sdk/client-rds';
import { rdsConnectionConfig } from './rds-tls';
import { DatabaseCredentials } from './secret-credentials';
import { databaseIdentifierFromHost, findTemporaryRdsDatabase, RdsDatabaseIdentifier } from './temporary-rds-database';
import { waitForCredentials } from './wait-for-credentials';
import { explainAwsError } from '../aws/explain-aws-error';
import { rdsSdk } from '../aws/sdk';
import { InvalidInputError } from '../errors';

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 random letters and digits (~190 bits): strong, and free of the characters RDS forbids (`/ " @`, space) and of URL escaping. */
export function randomMasterPassword(): string {
  return Array.from({ length: 32 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

/** Options of {@link resetMasterPassword}. */
export interface ResetMasterPasswordOptions {
  /** The temporary database; omitted: derived from `host` when it is an RDS endpoint. */
  readonly database?: RdsDatabaseIdentifier;
  /** Endpoint to wait on until the new password is accepted. */
  readonly host: string;
  readonly port?: number;
  /** Database to log into while waiting. @default 'postgres' */
  readonly databaseName?: string;
  readonly tls?: false | ConnectionOptions;
  readonly rds: RDSClient;
  /** The database's restore-id tag must have this value. */
  readonly restoreId?: string;
  /** @default 10 minutes */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/**
 * Give a TEMPORARY database (tagged by pg-schema-restore; anything else is refused) a new random
 * master password (`ModifyDBInstance`/`ModifyDBCluster`, `ApplyImmediately`) and wait until it logs
 * in. The last resort when no version of the secret matches the restored database.
 *
 * @example
 * const credentials = await resetMasterPassword({ host: 'pgsr-r-123.abc.eu-west-1.rds.amazonaws.com', rds, restoreId: 'r-123' });
 */
export async function resetMasterPassword(options: ResetMasterPasswordOptions): Promise<DatabaseCredentials> {
  const { host, rds, signal } = options;
  const given = options.database?.dbClusterIdentifier || options.database?.dbInstanceIdentifier;
  const identifier = given ? options.database : databaseIdentifierFromHost(host);
  if (!identifier) {
    throw new InvalidInputError(`cannot tell which RDS database "${host}" is; pass resetMasterPassword: { dbInstanceIdentifier } or { dbClusterIdentifier }`,
      { code: 'RESET_TARGET_MISSING' });
  }
  const target = await findTemporaryRdsDatabase({ database: identifier, rds, restoreId: options.restoreId, signal });
  const password = randomMasterPassword();
  // An RDS-managed master password must be switched off to set one ourselves.
  const unmanage = target.managedMasterPassword ? { ManageMasterUserPassword: false } : {};
  const change = { MasterUserPassword: password, ApplyImmediately: true, ...unmanage };
  const label = `DB ${target.kind} "${target.identifier}"`;
  try {
    if (target.kind === 'cluster') {
      await rds.send(new rdsSdk.ModifyDBClusterCommand({ DBClusterIdentifier: target.identifier, ...change }), { abortSignal: signal });
    } else {
      await rds.send(new rdsSdk.ModifyDBInstanceCommand({ DBInstanceIdentifier: target.identifier, ...change }), { abortSignal: signal });
    }
  } catch (err) {
    throw explainAwsError(err, {
      action: `reset the master password of ${label}`,
      permission: target.kind === 'cluster' ? 'rds:ModifyDBCluster' : 'rds:ModifyDBInstance',
      secrets: [password],
    });
  }
  const credentials = { username: target.masterUsername, password };
  await waitForCredentials({
    connection: rdsConnectionConfig({ host, port: options.port, database: options.databaseName, credentials, tls: options.tls }),
    what: `the new master password of ${label}`,
    timeoutMs: options.timeoutMs,
    signal,
    sleep: options.sleep,
    now: options.now,
  });
  return credentials;
}
