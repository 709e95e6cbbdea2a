import { Command } from 'commander';

/**
 * The `backup` command group (`backup`, `backup list`, `backup check`, …): the one already on the
 * program, or a new one. Every backup command registers under it, in any order.
 *
 * @example
 * backupCommand(program).command('list').action(…);
 */
export function backupCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'backup')
    ?? program.command('backup').description('back up tenant schemas (one pg_dump archive each, one snapshot, a manifest) and look after the backups');
}
