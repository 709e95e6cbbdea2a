import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkTargetUrl } from './restore-args';
import { InvalidInputError } from '../errors';

/** Options of `pg-schema-restore cleanup` as commander hands them over. */
export interface RawCleanupArgs {
  readonly orphans?: boolean;
  readonly local?: boolean;
  readonly target?: string;
  readonly tempDir?: string;
  readonly olderThan?: string;
  readonly ledger?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/** A checked `cleanup` command. */
export interface CleanupCommandOptions {
  /** Sweep AWS for tagged leftovers instead of working from the ledger file. */
  readonly orphans: boolean;
  /** Look for what crashed restores left on this machine and in `target`: staging schemas, throwaway servers, work directories. */
  readonly local?: boolean;
  /** With `local`: the database to look for staging schemas in. */
  readonly target?: string;
  /** With `local`: where throwaway servers live. @default os.tmpdir() */
  readonly tempDir?: string;
  readonly olderThanMs?: number;
  readonly ledgerPath: string;
  /** Delete; without it only list (dry run). */
  readonly yes: boolean;
  readonly json: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `500ms`, `90s`, `30m`, `6h`, `2d` → milliseconds.
 *
 * @example
 * parseDuration('6h', '--older-than'); // 21600000
 */
export function parseDuration(value: string, option: string): number {
  const match = /^\s*(\d+)\s*(ms|[smhd])\s*$/i.exec(value);
  if (!match || Number(match[1]) === 0) throw new InvalidInputError(`${option} must be a positive duration such as 90s, 30m, 6h or 2d (got "${value}")`);
  return Number(match[1]) * UNITS[match[2].toLowerCase()];
}

/**
 * Where the CLI writes down the cloud resources of its restores: `$PGSR_LEDGER`, else
 * `~/.pg-schema-restore/ledger.json`.
 *
 * @example
 * defaultLedgerPath(process.env); // '/home/me/.pg-schema-restore/ledger.json'
 */
export function defaultLedgerPath(env: Record<string, string | undefined>): string {
  return env.PGSR_LEDGER || join(homedir(), '.pg-schema-restore', 'ledger.json');
}

/**
 * Check `cleanup`'s options: `--older-than` only with `--orphans` or `--local`, `--target` and
 * `--temp-dir` only with `--local`, durations well-formed.
 *
 * @example
 * parseCleanupArgs({ orphans: true, olderThan: '6h' }, process.env);
 */
export function parseCleanupArgs(raw: RawCleanupArgs, env: Record<string, string | undefined>): CleanupCommandOptions {
  if (raw.olderThan !== undefined && !raw.orphans && !raw.local) {
    throw new InvalidInputError('--older-than applies to --orphans only, or to --local: the ledger lists exactly what a restore left, whatever its age');
  }
  if (raw.orphans && raw.local) throw new InvalidInputError('--orphans (cloud resources) and --local (this machine and --target) are separate sweeps; run them one at a time');
  if (!raw.local && (raw.target !== undefined || raw.tempDir !== undefined)) {
    throw new InvalidInputError(`${raw.target !== undefined ? '--target' : '--temp-dir'} applies to --local only`);
  }
  return {
    orphans: raw.orphans === true,
    local: raw.local === true,
    target: raw.target === undefined ? undefined : checkTargetUrl(raw.target),
    tempDir: raw.tempDir,
    olderThanMs: raw.olderThan === undefined ? undefined : parseDuration(raw.olderThan, '--older-than'),
    ledgerPath: raw.ledger ?? defaultLedgerPath(env),
    yes: raw.yes === true,
    json: raw.json === true,
  };
}
