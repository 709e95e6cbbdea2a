import { chmodSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { addBackupLocationOptions, parseBackupLocationArgs, RawBackupLocationArgs } from './backup-location-args';
import { parseDuration } from './cleanup-args';
import { CliDeps } from './cli-deps';
import { EXIT_CODES, exitCodeFor, reportFailure, scrubAll } from './cli-errors';
import { withInterrupt } from './interrupt';
import { checkTargetUrl } from './restore-args';
import { repeatable } from './restore-command-options';
import { drillMarkdown } from '../drill/drill-markdown';
import { RunDrillOptions, runDrill } from '../drill/run-drill';
import { InvalidInputError } from '../errors';

/** Options of `drill` as commander hands them over. */
interface RawDrillArgs extends RawBackupLocationArgs {
  readonly target?: string;
  readonly schema?: string[];
  readonly sample?: string;
  readonly maxAge?: string;
  readonly report?: string;
  readonly json?: boolean;
  readonly tempDir?: string;
}

/** A checked `drill` command: the drill's options and where its report goes. */
interface DrillCommand {
  readonly drill: Omit<RunDrillOptions, 'restore'>;
  readonly reportPath?: string;
  readonly json: boolean;
}

function parseSample(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidInputError(`--sample must be a positive whole number (got "${value}"), e.g. --sample 3`);
  return n;
}

function parseDrillArgs(raw: RawDrillArgs): DrillCommand {
  if (raw.schema && raw.sample !== undefined) throw new InvalidInputError('give --schema or --sample, not both');
  if (raw.report !== undefined && raw.report.trim() === '') throw new InvalidInputError('--report needs a file name, e.g. --report drill-2026-11.md');
  return {
    drill: {
      ...parseBackupLocationArgs(raw),
      target: checkTargetUrl(raw.target),
      schemas: raw.schema,
      sample: raw.sample === undefined ? undefined : parseSample(raw.sample),
      maxAgeMs: raw.maxAge === undefined ? undefined : parseDuration(raw.maxAge, '--max-age'),
      tempDir: raw.tempDir,
    },
    reportPath: raw.report,
    json: raw.json === true,
  };
}

/** Write the report readable by its owner only (it names the scratch database and the backups). */
function writeReport(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function runDrillCommand(raw: RawDrillArgs, deps: CliDeps): Promise<number> {
  let command: DrillCommand;
  try {
    command = parseDrillArgs(raw);
  } catch (err) {
    return reportFailure(err, deps, raw.target ? [raw.target] : [], { json: raw.json === true });
  }
  const secrets = [command.drill.target as string];
  const display = command.json ? undefined : deps.createDisplay(deps.stderr);
  return withInterrupt(deps, async (signal) => {
    try {
      const report = await runDrill({ ...command.drill, restore: deps.restore, now: deps.now, signal, onProgress: display?.onProgress });
      await display?.close();
      const markdown = scrubAll(drillMarkdown(report), secrets);
      if (command.reportPath !== undefined) writeReport(command.reportPath, markdown);
      deps.stdout.write(command.json ? `${scrubAll(JSON.stringify(report), secrets)}\n` : markdown);
      return report.verdict === 'pass' ? EXIT_CODES.ok : EXIT_CODES.failure;
    } catch (err) {
      await display?.close(err);
      return reportFailure(err, deps, secrets, { json: command.json, exitCode: signal.aborted ? EXIT_CODES.interrupted : exitCodeFor(err) });
    }
  });
}

/**
 * Register `drill --from <location> --target <scratch-url> [--schema S]... | [--sample N]
 * [--max-age 25h] [--report file.md] [--json]`: exit 0 when every tenant restored and validated
 * and the backup is young enough, 1 otherwise, 2 on bad usage.
 *
 * @example
 * addDrillCommand(program, deps, setExitCode);
 */
export function addDrillCommand(program: Command, deps: () => CliDeps, setExitCode: (code: number) => void): void {
  addBackupLocationOptions(program.command('drill')
    .description('restore test: restore tenants of the newest backup side by side into a scratch database, validate them against the manifest, ' +
      'drop them, and report the backup\'s age (RPO) and each restore\'s time (RTO)'))
    .option('--target <postgres-url>', 'the scratch database to restore into (never production); restored schemas are dropped again')
    .option('--schema <name>', 'tenant to restore (exact name); repeat for several (default: all)', repeatable)
    .option('--sample <n>', 'restore this many tenants picked at random')
    .option('--max-age <duration>', 'fail when the backup is older than this (e.g. 25h, 2d)')
    .option('--report <file.md>', 'also write the report as Markdown to this file (mode 0600)')
    .option('--temp-dir <dir>', 'where the throwaway servers of the restores live (default: the system temp directory)')
    .option('--json', 'print the report as one JSON object instead of Markdown')
    .action(async (raw: RawDrillArgs) => {
      setExitCode(await runDrillCommand(raw, deps()));
    });
}
