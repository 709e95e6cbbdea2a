import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConnectionOptions } from 'node:tls';
import { ResolvedConnection } from './resolve-connection';
import { InvalidInputError } from '../errors';

/** What `pg` is given as `ssl` for one connection attempt: false for plain text. */
export type SslAttempt = false | ConnectionOptions;

/** Options of {@link sslAttempts}. */
export interface SslAttemptOptions {
  /** Reads sslrootcert, sslcert and sslkey. @default fs.readFileSync */
  readonly readFile?: (path: string) => string;
  /** libpq's default root certificate file, used by verify-ca/verify-full when it exists. @default ~/.postgresql/root.crt */
  readonly defaultRootCert?: string;
}

function read(path: string, keyword: string, readFile: (path: string) => string): string {
  try {
    return readFile(path);
  } catch (err) {
    throw new InvalidInputError(`cannot read ${keyword} "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/**
 * The `ssl` settings to try, in order, for a connection's sslmode as libpq means it: `disable` plain
 * text; `allow` plain text, then TLS if the server insists; `prefer` (the default) TLS without
 * verification, then plain text if the server has no TLS; `require` TLS without verification (with
 * sslrootcert given: like verify-ca); `verify-ca` TLS with the server's certificate checked against
 * sslrootcert (else ~/.postgresql/root.crt, else the system's CAs; `sslrootcert=system` means those);
 * `verify-full` also checks the host name. Unix sockets never use TLS. An `ssl` of a `pg` config is kept as given.
 *
 * @example
 * sslAttempts(resolveConnection('host=db sslmode=require')); // [{ rejectUnauthorized: false }]
 */
export function sslAttempts(conn: ResolvedConnection, options: SslAttemptOptions = {}): SslAttempt[] {
  const { params, clientConfig } = conn;
  if (clientConfig.ssl !== undefined) return [clientConfig.ssl === true ? {} : clientConfig.ssl];
  if (params.host.startsWith('/') && !params.hostaddr) return [false];
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const client: ConnectionOptions = {
    ...(params.sslcert ? { cert: read(params.sslcert, 'sslcert', readFile) } : {}),
    ...(params.sslkey ? { key: read(params.sslkey, 'sslkey', readFile) } : {}),
  };
  const noVerify: ConnectionOptions = { ...client, rejectUnauthorized: false };
  const defaultRootCert = options.defaultRootCert ?? join(homedir(), '.postgresql', 'root.crt');
  const rootCert = params.sslrootcert ?? (existsSync(defaultRootCert) ? defaultRootCert : undefined);
  const verifying = (mode: 'verify-ca' | 'verify-full'): ConnectionOptions => ({
    ...client,
    ...(rootCert && rootCert !== 'system' ? { ca: read(rootCert, 'sslrootcert', readFile) } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  });
  switch (params.sslmode) {
    case 'disable': return [false];
    case 'allow': return [false, noVerify];
    case 'prefer': return [noVerify, false];
    case 'require': return [params.sslrootcert ? verifying('verify-ca') : noVerify];
    case 'verify-ca': return [verifying('verify-ca')];
    default: return [verifying('verify-full')];
  }
}
