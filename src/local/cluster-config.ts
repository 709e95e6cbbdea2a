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
   * Write `postgresql.conf` from scratch; append to the data directory's own otherwise (later lines
   * win, so appending again changes the port). Who may log in is written by `writeClusterAccess`.
   * @default false
   */
  readonly replace?: boolean;
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
}
