import { InvalidInputError } from '../../src';
import { parseRestoreArgs, RawRestoreArgs } from '../../src/cli/restore-args';

const valid: RawRestoreArgs = {
  source: 'postgres://admin:s3cret@db.internal:5432/tenant_a_past',
  target: 'postgresql://admin:s3cret@db.internal/tenant_a',
  schema: ['customer_a1'],
  owner: true,
  privileges: true,
  validate: true,
};

/** An unencoded password: the same line for --source and --target, naming the option and the fix. */
const UNENCODED = (option: string) => new RegExp(`^${option} is not a valid postgres://\\S* URL: characters such as / # \\? % @ : in its user name or password must be percent-encoded ` +
  `\\(/ as %2F, # as %23, % as %25, @ as %40\\), or better leave the password out of the URL and put it in ~/\\.pgpass or PGPASSWORD; e\\.g\\. ${option} postgres://user@host:5432/`);

function errorOf(raw: RawRestoreArgs): InvalidInputError {
  try {
    parseRestoreArgs(raw);
  } catch (err) {
    return err as InvalidInputError;
  }
  throw new Error('expected an error');
}

describe('parseRestoreArgs', () => {
  test('maps the options onto restoreSchema options, leaving defaults to restoreSchema', () => {
    expect(parseRestoreArgs(valid)).toEqual({
      restore: { source: valid.source, target: valid.target, schemas: ['customer_a1'], skipOwnership: false, skipPrivileges: false, validate: true },
      json: false,
      dryRun: false,
    });
    expect(parseRestoreArgs({
      ...valid, schema: ['customer_a1', 'Order Lines'], suffix: '_restored', jobs: '8', json: true, owner: false, privileges: false, validate: false,
    })).toEqual({
      restore: {
        source: valid.source,
        target: valid.target,
        schemas: ['customer_a1', 'Order Lines'],
        suffix: '_restored',
        jobs: 8,
        skipOwnership: true,
        skipPrivileges: true,
        validate: false,
      },
      json: true,
      dryRun: false,
    });
  });

  test.each([
    ['256MB', 256 * 1024 ** 2],
    ['1 gb', 1024 ** 3],
    ['8kB', 8192],
    ['4096', 4096],
    ['0', 0],
    ['off', 0],
  ])('--split-tables-larger-than %s is %d bytes (units are powers of 1024, as in PostgreSQL)', (size, bytes) => {
    expect(parseRestoreArgs({ ...valid, splitTablesLargerThan: size }).restore.splitTablesLargerThan).toBe(bytes);
    expect(parseRestoreArgs(valid).restore).not.toHaveProperty('splitTablesLargerThan');
  });

  test.each([
    [{ schema: undefined }, /^at least one --schema <name> is required: .*e\.g\. --schema customer_a1/],
    [{ schema: [] }, /^at least one --schema <name> is required/],
    [{ schema: [''] }, /^--schema must not be empty/],
    [{ schema: ['a', 'b', 'a'] }, /^--schema "a" is given twice/],
    [{ jobs: '0' }, /^--jobs must be a positive integer \(got "0"\), e\.g\. --jobs 4$/],
    [{ jobs: '-2' }, /^--jobs must be a positive integer/],
    [{ jobs: '1.5' }, /^--jobs must be a positive integer/],
    [{ jobs: 'four' }, /^--jobs must be a positive integer/],
    [{ jobs: '' }, /^--jobs must be a positive integer/],
    [{ splitTablesLargerThan: '256 apples' }, /^--split-tables-larger-than must be a size such as 256MB, 1GB or 0 \(kB, MB, GB, TB; "off" never splits\), got "256 apples"$/],
    [{ splitTablesLargerThan: '-1MB' }, /^--split-tables-larger-than must be a size/],
    [{ splitTablesLargerThan: '1.5GB' }, /^--split-tables-larger-than must be a size/],
    [{ suffix: '' }, /^--suffix must not be empty; leave it out/],
    [{ source: undefined }, /^missing --source: a postgres:\/\/ URL \(a database holding the past\), a pg_dump archive \(path or s3:\/\/bucket\/key\), pitr:.*, or rds:<instance-or-cluster-id>$/],
    [{ target: undefined }, /^missing --target <postgres-url>: the live database/],
    [{ source: 'mysql://root:hunter2@db/shop' }, /^--source cannot read mysql:\/\/ URLs; use a postgres:\/\/ URL/],
    [{ source: 's3://' }, /^--source s3:\/\/ needs a bucket, e\.g\. s3:\/\/backups\/tenant_a\.dump/],
    [{ source: 'pitr:/b/base?wal=/b/wal' }, /^--source pitr: needs --at <time>, the moment to recover to, e\.g\. --source "pitr:/],
    [{ source: 'pitr:/b/base', at: '2024-01-28T14:30:00Z' }, /^--source pitr: needs the WAL archive as \?wal=<dir>/],
    [{ source: 'pitr:?wal=/b/wal', at: '2024-01-28T14:30:00Z' }, /^--source pitr: needs the base backup directory/],
    [{ source: 'pitr:/b/base?wal=/b/wal', at: '2024-01-28T14:30:00' }, /^--at must be an ISO 8601 time with a time zone \(got "2024-01-28T14:30:00"\), e\.g\. --at 2024-01-28T14:30:00Z/],
    [{ source: 'pitr:/b/base?wal=/b/wal', at: 'yesterday' }, /^--at must be an ISO 8601 time \(got "yesterday"\)/],
    [{ source: 'pitr:/b/base?wal=/b/wal', at: '2024-02-30T14:30:00Z' }, /^--at must be an ISO 8601 time/],
    [{ at: '2024-01-28T14:30:00Z' }, /^--at applies to pitr: and rds: sources only; a database is read as it is when the restore starts/],
    [{ source: '/backups/tenant_a.dump', at: '2024-01-28T14:30:00Z' }, /^--at applies to pitr: and rds: sources only; a pg_dump archive holds the database as of its dump time/],
    [{ source: '/backups/tenant_a.dump', snapshot: 'snap-1' }, /^--snapshot applies to rds: sources only, and --source is a pg_dump archive; leave --snapshot out/],
    [{ resetMasterPassword: true }, /^--reset-master-password applies to rds: sources only/],
    [{ latest: true }, /^--latest applies to rds: sources only, and --source is a postgres:\/\/ URL/],
    [{ source: 'pitr:/b?wal=/w', at: '2024-01-28T14:30:00Z', secret: 's' }, /^--secret applies to rds: sources only, and --source is a base backup/],
    [{ source: 'rds:tenants-prod', secret: 's' }, /^--source rds: needs one of --at <time>, --snapshot <id>, --latest, e\.g\. --source rds:tenants-prod/],
    [{ source: 'rds:tenants-prod', secret: 's', latest: true, snapshot: 'x' }, /^--source rds: takes only one of \(got --snapshot and --latest\) --at/],
    [{ source: 'rds:tenants-prod', latest: true }, /^--source rds: needs --secret <arn-or-name>/],
    [{ source: 'rds:', latest: true, secret: 's' }, /^--source rds: needs a DB instance or Aurora cluster identifier/],
    [{ source: 'root:hunter2@db/shop' }, /^--source looks like a connection string without its scheme; write it as postgres:\/\/user:password@host:5432\/database$/],
    [{ source: 'postgres//root:hunter2@db' }, /^--source looks like a connection string without its scheme/],
    [{ engine: 'pglogical' }, /^--engine must be copy or dms \(got "pglogical"\)$/],
    [{ dmsRole: 'arn:role' }, /^--dms-role applies to --engine dms only; add --engine dms or leave it out$/],
    [{ engine: 'dms', dmsTargetSecret: 't', dmsSubnetGroup: 'g' }, /^--engine dms needs --dms-role <arn>, the IAM role DMS reads the secrets with/],
    [{ engine: 'dms', dmsRole: 'r', dmsSubnetGroup: 'g' }, /^--engine dms needs --dms-target-secret <arn>/],
    [{ engine: 'dms', dmsRole: 'r', dmsTargetSecret: 't' }, /^--engine dms needs --dms-subnet-group <id> \(to create a replication instance\) or --dms-instance <arn>/],
    [{ s3Endpoint: 'localhost:9000' }, /^--s3-endpoint must be an http:\/\/ or https:\/\/ URL/],
    [{ target: 'db.internal:5432/tenant_a' }, /^--target must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ target: 'mysql://root@db/shop' }, /^--target must be a postgres:\/\/ or postgresql:\/\/ URL \(got a mysql:\/\/ URL\)/],
    [{ source: 'postgres://admin:pa/ss#9@db.internal/tenant_a_past' }, UNENCODED('--source')],
    [{ source: 'postgresql://admin:100%@db.internal/tenant_a_past' }, UNENCODED('--source')],
    [{ target: 'postgres://admin:pa/ss#9@db.internal/tenant_a' }, UNENCODED('--target')],
  ] as Array<[Partial<RawRestoreArgs>, RegExp]>)('%o is refused with a message that says how to fix it', (change, message) => {
    const err = errorOf({ ...valid, ...change });
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  test('reads every source form: live database, dump path, S3 key or prefix, base backup + WAL archive at a time', () => {
    const sourceOf = (change: Partial<RawRestoreArgs>) => parseRestoreArgs({ ...valid, ...change }).restore.source;
    expect(sourceOf({})).toBe(valid.source);
    expect(sourceOf({ source: '/backups/tenant_a.dump' })).toEqual({ kind: 'dump', path: '/backups/tenant_a.dump' });
    expect(sourceOf({ source: 'backups/tenant_a.sql.gz' })).toEqual({ kind: 'dump', path: 'backups/tenant_a.sql.gz' });
    expect(sourceOf({ source: 's3://backups/nightly/' })).toEqual({ kind: 'dump', path: 's3://backups/nightly/' });
    expect(sourceOf({ source: 'pitr:/b/base?wal=/b/wal%20archive', at: '2024-01-28T15:30:00+01:00' }))
      .toEqual({ kind: 'pitr', baseBackup: '/b/base', walArchive: '/b/wal archive', targetTime: new Date('2024-01-28T14:30:00Z') });
    expect(sourceOf({ source: 'rds:tenants-prod', at: '2024-01-28T14:30:00Z', secret: 'prod/login', subnetGroup: 'private', securityGroup: ['sg-1', 'sg-2'] })).toEqual({
      kind: 'rds', id: 'tenants-prod', restoreTime: new Date('2024-01-28T14:30:00Z'), secretId: 'prod/login', subnetGroup: 'private', securityGroupIds: ['sg-1', 'sg-2'],
    });
    expect(sourceOf({ source: 'rds:aurora-1', snapshot: 'nightly-1', secret: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', instanceClass: 'db.r6g.large' })).toEqual({
      kind: 'rds', id: 'aurora-1', snapshotId: 'nightly-1', secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', instanceClass: 'db.r6g.large',
    });
    expect(sourceOf({ source: 'rds:db-1', latest: true, secret: 's' })).toEqual({ kind: 'rds', id: 'db-1', useLatestRestorableTime: true, secretId: 's' });
    expect(sourceOf({ source: 'rds:db-1', latest: true, secret: 's', resetMasterPassword: true })).toMatchObject({ resetMasterPassword: true });
    expect(parseRestoreArgs({
      ...valid, engine: 'dms', dmsRole: 'arn:role', dmsTargetSecret: 'arn:target', dmsSubnetGroup: 'private', dmsSecurityGroup: ['sg-1'], dmsInstanceClass: 'dms.r5.large',
    }).restore).toMatchObject({
      engine: 'dms',
      dms: { secretsAccessRoleArn: 'arn:role', targetSecretArn: 'arn:target', replicationSubnetGroupId: 'private', vpcSecurityGroupIds: ['sg-1'], replicationInstanceClass: 'dms.r5.large' },
    });
    expect(parseRestoreArgs({ ...valid, engine: 'copy' }).restore).toMatchObject({ engine: 'copy' });
    const parsed = parseRestoreArgs({ ...valid, s3Endpoint: 'http://127.0.0.1:9000', sourceDatabase: 'tenant_a', dryRun: true });
    expect(parsed.dryRun).toBe(true);
    expect(parsed.restore).toMatchObject({ s3Endpoint: 'http://127.0.0.1:9000', sourceDatabase: 'tenant_a' });
  });

  test('never echoes a URL, which may carry a password', () => {
    for (const source of ['mysql://root:hunter2@db/shop', 'root:hunter2@db/shop', 'postgres//root:hunter2@db', 'postgres://root:hunter2/#@db/x']) {
      expect(errorOf({ ...valid, source }).message).not.toContain('hunter2');
      expect(errorOf({ ...valid, target: source }).message).not.toContain('hunter2');
    }
  });
});
