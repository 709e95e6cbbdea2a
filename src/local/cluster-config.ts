import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A `postgresql.conf` value. */
export type ServerSetting = string | number | boolean;

/**
 * One setting as `postgresql.conf` spells it: numbers bare, booleans `on`/`off`, strings quoted
 * (the file's strings treat a backslash as an escape, so it is doubled too).
 *
 * @example
 * formatSetting("it's C:\\x"); // "'it''s C:\\\\x'"
 */
export function formatSetting(value: ServerSetting): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Options of {@link writeClusterConfig}. */
export interface WriteClusterConfigOptions {
  /** Settings of the throwaway cluster, its port included. */
  readonly settings: Readonly<Record<string, ServerSetting>>;
  /**
   * Write `postgresql.conf` and `pg_hba.conf` from scratch; append to the data directory's own
   * `postgresql.conf` otherwise (later lines win, so appending again changes the port).
   * @default false
   */
  readonly replace?: boolean;
  /** TCP logins need a password (scram-sha-256) instead of being trusted; only with `replace`. */
  readonly passwordLogins?: boolean;
}

const HEADER = '# pg-schema-restore throwaway cluster';

/**
 * Write the throwaway cluster's configuration into its data directory.
 *
 * @example
 * writeClusterConfig(dataDir, { settings: { port: 54321, listen_addresses: '127.0.0.1' }, replace: true });
 */
export function writeClusterConfig(dataDir: string, options: WriteClusterConfigOptions): void {
  const lines = Object.entries(options.settings).map(([k, v]) => `${k} = ${formatSetting(v)}`).join('\n');
  if (!options.replace) {
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n${HEADER}\n${lines}\n`);
    return;
  }
  writeFileSync(join(dataDir, 'postgresql.conf'), `${HEADER}: nothing else is read\n${lines}\n`);
  // Loopback and the private socket only: the server is never reachable from another host.
  const hba = [
    'local all all trust',
    `host all all 127.0.0.1/32 ${options.passwordLogins ? 'scram-sha-256' : 'trust'}`,
  ];
  writeFileSync(join(dataDir, 'pg_hba.conf'), `${HEADER}\n${hba.join('\n')}\n`);
}
