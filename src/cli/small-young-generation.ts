/*
 * A restore streams gigabytes through short-lived buffers. V8 lets its young generation grow to 16 MB
 * per semi-space under that allocation rate (about 20 MB of resident memory more), and the flag that
 * bounds it, `--max-semi-space-size`, is read only when the process starts: `setFlagsFromString` is
 * too late. So a data-moving command restarts itself once with the flag, in place (`process.execve`:
 * same pid, signals, terminal, environment and open descriptors — a stdin not yet read is still
 * there). Measured on the bench tenant at scale 10: peak RSS 143 → 123 MB, and less CPU (7.5 → 6.9 s:
 * smaller scavenges stay in cache). Where `process.execve` does not exist (Node < 22.15, Windows), or
 * when the flag is already given (also in NODE_OPTIONS), the process goes on as it is.
 */
const FLAG = '--max-semi-space-size';
/** Semi-space size in MB. */
const SEMI_SPACE_MB = 4;
/** Commands that move table data. */
const DATA_COMMANDS = new Set(['restore', 'backup']);

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith(FLAG));
const execve = (process as unknown as { execve?: Execve }).execve;
const script = process.argv[1];
if (!given && typeof execve === 'function' && process.platform !== 'win32' && script && DATA_COMMANDS.has(process.argv[2] ?? '')) {
  execve(process.execPath, [process.execPath, ...process.execArgv, `${FLAG}=${SEMI_SPACE_MB}`, script, ...process.argv.slice(2)], process.env);
}
