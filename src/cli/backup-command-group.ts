import { Command } from 'commander';

/**
 * The `backup` command that `backup list`, `backup check`, `backup prune` (and their siblings) hang
 * under: the program's existing one, or a new one.
 *
 * @example
 * backupCommand(program).command('list');
 */
export function backupCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'backup') ?? program.command('backup');
}
