import { Command, Option } from 'commander';

const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Add `backup create` — the default command of the `backup` group, so `pg-schema-restore backup
 * --source … --to …` runs it — with its options, and return it for its action. Its options live on
 * it, not on the group, so `backup list --json` and the other subcommands keep their own.
 *
 * @example
 * addBackupCreateCommand(backupCommand(program)).action(async (raw: RawBackupArgs) => …);
 */
export function addBackupCreateCommand(group: Command): Command {
  group.addHelpText('after', '\n"backup --source <postgres-url> --to <location>" runs "backup create"; see "backup create --help" for its options.');
  return group.command('create', { isDefault: true })
    .description('back up schemas of --source to --to: one pg_dump archive per schema from one snapshot, then manifest.json ' +
      '(the default: "backup --source … --to …")')
    .addOption(new Option('--source <postgres-url>', 'the database to back up (a password here is visible in ps: prefer ~/.pgpass, PGPASSWORD or PGSR_SOURCE)')
      .env('PGSR_SOURCE'))
    .option('--to <location>', 's3://bucket/prefix/ or a local directory; the run goes to <location><database>/<UTC time>/')
    .option('--schema <name>', 'schema to back up (exact, case-sensitive); repeat for several (default: every non-system schema)', repeatable)
    .option('--jobs <n>', 'schemas dumped at once (default: 2)')
    .option('--lock-wait-timeout <duration>', 'longest wait for one table\'s lock (pg_dump and the checksums), retried a few times, ' +
      'then the backup fails naming the table and the session holding it (default: 2s; a shorter lock_timeout of the database wins)')
    .option('--kms-key <arn>', 'S3: encrypt with this KMS key (SSE-KMS; ARN, key id or alias/<name>) instead of SSE-S3')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--json', 'print {"location","manifest"} as one JSON object on stdout, and nothing else (on failure {"error":{"code","message"}})');
}
