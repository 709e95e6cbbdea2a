import { Command, Option } from 'commander';

/** Commander's collector for an option given several times (`--schema a --schema b`). */
export const repeatable = (v: string, all: string[] = []): string[] => [...all, v];

/** Shown after the option list of `restore --help`. */
const EXAMPLES = `
Examples:
  # from a live copy (a clone, a replica, last night's restored instance), into the live database
  pg-schema-restore restore --source postgres://app@clone-db/tenants \\
    --target postgres://app@prod-db/tenants --schema customer_a1

  # the same with libpq connection strings: a service from ~/.pg_service.conf, a Unix socket
  pg-schema-restore restore --source 'host=/run/postgresql dbname=tenants_clone' \\
    --target service=prod --schema customer_a1

  # from a pg_dump archive in S3, several schemas, with a chosen suffix
  pg-schema-restore restore --source s3://backups/tenants/2024-01-28.dump \\
    --target postgres://app@prod-db/tenants --schema customer_a1 --schema customer_a2 --suffix _before_incident

  # point-in-time recovery of an RDS instance, seen first as a plan
  pg-schema-restore restore --source rds:prod-db --at 2024-01-28T14:30:00Z --secret prod-db-admin \\
    --target postgres://app@prod-db/tenants --schema customer_a1 --dry-run

  # from a base backup and its WAL archive, report as JSON
  pg-schema-restore restore --source 'pitr:/backups/base?wal=/backups/wal' --at 2024-01-28T14:30:00Z \\
    --target postgres://app@prod-db/tenants --schema customer_a1 --json > report.json

  # only one damaged table (and what it needs), from last night's backup
  pg-schema-restore restore --source s3://backups/tenants/ --target postgres://app@prod-db/tenants \\
    --table customer_a1.orders

Passwords: keep them out of the command line (other local users see it in ps): use ~/.pgpass,
a service file or PGPASSWORD, type it when asked, or pass whole connection strings in PGSR_SOURCE
and PGSR_TARGET instead of --source and --target.
Progress goes to stderr, results to stdout; -q silences progress.
`;

/**
 * The options of `restore`, in the groups `--help` shows them in (source, target, RDS, behaviour,
 * DMS, output), and its examples.
 *
 * @example
 * addRestoreOptions(program.command('restore')).action(run);
 */
export function addRestoreOptions(command: Command): Command {
  return command
    .optionsGroup('Source (the past):')
    .addOption(new Option('--source <source>', 'the past: a database (a postgres:// URL or a libpq string such as "service=past" or "host=… dbname=…"), ' +
      'a pg_dump archive (path, s3://bucket/key, or s3://bucket/prefix/ for the newest), ' +
      'pitr:<base-backup-dir>?wal=<wal-archive-dir>, backups written by `backup` (s3://bucket/prefix/<database>/ or a directory), ' +
      'or rds:<instance-or-cluster-id>').env('PGSR_SOURCE'))
    .option('--at <time>', 'with a pitr: or rds: source, the moment to recover to; with backups, the newest backup at or before it ' +
      '(ISO 8601 with zone, e.g. 2024-01-28T14:30:00Z)')
    .option('--source-database <name>', 'database to read in a recovered cluster (default: the --target database name)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// archives (default: AWS_ENDPOINT_URL_S3, else AWS)')

    .optionsGroup('Target and names:')
    .addOption(new Option('--target <postgres-url>', 'live database to restore into (a postgres:// URL or a libpq string such as "service=live"); ' +
      'nothing existing is changed').env('PGSR_TARGET'))
    .option('--schema <name>', 'schema to restore (exact, case-sensitive); repeat for several', repeatable)
    .option('--table <schema.table>', 'restore only this table (with its types, sequences, functions, indexes, triggers), or a sequence only a function body uses; repeat for several', repeatable)
    .option('--suffix <text>', 'appended to each schema name (default: _YYYYMMDDHHMMSS of the source snapshot, UTC)')

    .optionsGroup('RDS and Aurora sources (--source rds:…):')
    .option('--snapshot <id>', 'restore this DB (cluster) snapshot instead of a time')
    .option('--latest', 'restore the latest restorable time')
    .option('--secret <arn-or-name>', 'the Secrets Manager secret with the login (the version current at the restore point is used)')
    .option('--subnet-group <name>', 'DB subnet group of the temporary database (default: the source\'s)')
    .option('--security-group <id>', 'VPC security group of the temporary database (default: the source\'s); repeat for several', repeatable)
    .option('--instance-class <class>', 'class of the temporary instance (default: the source\'s)')
    .option('--reset-master-password', 'when no version of --secret logs in, set a new master password on the temporary database (never the source)')
    .option('--ledger <file>', 'where created AWS resources are written down (default: $PGSR_LEDGER or ~/.pg-schema-restore/ledger.json)')

    .optionsGroup('What is restored and how:')
    .option('--jobs <n>', 'tables copied in parallel (default: 4)')
    .option('--split-tables-larger-than <size>', 'copy a table larger than this (e.g. 256MB; kB, MB, GB, TB are powers of 1024 as in PostgreSQL) ' +
      'in ctid ranges by up to --jobs workers at once; 0 or off never splits (default: 64MB)')
    .option('--lock-timeout <duration>', 'longest wait for a lock on a live object outside the schema (e.g. a foreign key to a shared table), retried a few times, ' +
      'then the sessions in the way are named (default: 2s; a shorter lock_timeout of the database wins)')
    .option('--detach-outside', 'restore tables that inherit from or are partitions of tables outside the schema as standalone tables, ' +
      'and leave out statements on outside objects (default: refuse)')
    .option('--no-owner', 'leave object owners out; objects belong to the restoring user')
    .option('--no-privileges', 'leave GRANT/REVOKE out')
    .option('--no-validate', 'skip comparing row counts and checksums with the source')
    .option('--no-large-objects', 'leave out the large objects that oid/lo columns refer to (the rows keep OIDs that point nowhere; a warning names the columns)')

    .optionsGroup('AWS DMS engine (--engine dms):')
    .option('--engine <copy|dms>', 'how data moves: copy (streaming COPY, default) or dms (AWS DMS full load; needs the --dms-* options)')
    .option('--dms-subnet-group <id>', 'replication subnet group to create the replication instance in')
    .option('--dms-instance <arn>', 'use this replication instance instead of creating one')
    .option('--dms-instance-class <class>', 'class of the created replication instance (default: dms.t3.medium)')
    .option('--dms-security-group <id>', 'VPC security group of the replication instance; repeat for several', repeatable)
    .option('--dms-role <arn>', 'IAM role DMS reads the endpoint secrets with')
    .option('--dms-target-secret <arn>', 'secret with the target\'s host, port, username and password')
    .option('--dms-source-secret <arn>', 'secret of the source (default: the temporary secret of an rds: source)')

    .optionsGroup('Output:')
    .option('--json', 'print the report as one JSON object on stdout, and nothing else (on failure {"error":{"code","message"}})')
    .option('--dry-run', 'print the plan (source, restore point, restored names, tables, steps) and create nothing')
    .addHelpText('after', EXAMPLES);
}
