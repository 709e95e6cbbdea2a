import { Command } from 'commander';

/**
 * The `backup` command that `backup verify`, `backup list`, … hang under: the existing one when
 * another file registered it first, else a new one.
 *
 * @example
 * backupCommand(program).command('verify').action(…);
 */
export function backupCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'backup')
    ?? program.command('backup').description('back up tenant schemas, and list, check, verify and prune backups');
}
