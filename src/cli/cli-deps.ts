import type { BackupDatabaseOptions, BackupResult } from '../backups/backup-database';
import { defaultPasswordPrompt, PasswordPrompt } from '../connection/password-prompt';
import { startLocalCluster } from '../local/local-cluster';
import { planRestore, RestorePlan } from '../plan-restore';
import { RestoreReport } from '../report';
import { RestoreSchemaOptions } from '../restore-options';
import { createProgressDisplay, ProgressDisplay } from './display/create-progress-display';
import { Verbosity } from './verbosity';

/** What the CLI calls to restore: `restoreSchema` in production, a fake in tests. */
export type RestoreFunction = (options: RestoreSchemaOptions) => Promise<RestoreReport>;

/** What the CLI calls for `--dry-run`: `planRestore` in production, a fake in tests. */
export type PlanFunction = (options: RestoreSchemaOptions) => Promise<RestorePlan>;

/** What `backup` calls: `backupDatabase` in production (loaded on first use), a wrapper in tests. */
export type BackupFunction = (options: BackupDatabaseOptions) => Promise<BackupResult>;

/** Where the CLI writes: `process.stdout` / `process.stderr` or a test buffer. */
export interface CliOutput {
  /** A terminal gets the live display; anything else gets plain log lines. */
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Where SIGINT/SIGTERM come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Everything the CLI touches outside itself, so tests swap it without module mocking. */
export interface CliDeps {
  readonly restore: RestoreFunction;
  readonly plan: PlanFunction;
  /** @default - backupDatabase */
  readonly backup?: BackupFunction;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Read for `DEBUG=pg-schema-restore` (stack traces on errors, like `-v`). */
  readonly env: Record<string, string | undefined>;
  /** `-q`: no progress lines; `-v`: also debug details (a failure's stack). @default 'normal' */
  readonly verbosity?: Verbosity;
  readonly signals: SignalSource;
  /** Leave right away (a second Ctrl-C while cleaning up). */
  readonly exit: (code: number) => void;
  readonly now: () => Date;
  /** Renders progress events (the CLI passes stderr); live on a terminal, plain lines otherwise. */
  readonly createDisplay: (out: CliOutput) => ProgressDisplay;
  /** Starts the demo's throwaway server. */
  readonly startCluster: typeof startLocalCluster;
  /** Asks for a password a server wants and nobody gave, before the display starts. @default none (no terminal) */
  readonly passwordPrompt?: PasswordPrompt;
}

/**
 * The CLI's dependencies wired to the real process, around a given restore function.
 *
 * @example
 * const code = await runCli(process.argv.slice(2), processCliDeps({ restore: restoreSchema }));
 */
export function processCliDeps(overrides: Partial<CliDeps> & Pick<CliDeps, 'restore'>): CliDeps {
  const now = overrides.now ?? (() => new Date());
  const env = overrides.env ?? process.env;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    signals: process,
    exit: (code) => process.exit(code),
    now,
    createDisplay: (out) => createProgressDisplay(out, { now, env }),
    startCluster: startLocalCluster,
    plan: planRestore,
    passwordPrompt: defaultPasswordPrompt(),
    ...overrides,
  };
}
