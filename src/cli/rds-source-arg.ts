import { InvalidInputError } from '../errors';
import { RestoreSource } from '../sources/restore-source';

/** The options that shape an `rds:` source; all but `at` belong to it alone. */
export interface SourceArgExtras {
  readonly at?: Date;
  readonly snapshot?: string;
  readonly latest?: boolean;
  readonly secret?: string;
  readonly subnetGroup?: string;
  readonly securityGroups?: readonly string[];
  readonly instanceClass?: string;
  readonly resetMasterPassword?: boolean;
}

const RDS_ONLY: ReadonlyArray<[keyof SourceArgExtras, string]> = [
  ['snapshot', '--snapshot'], ['latest', '--latest'], ['secret', '--secret'], ['subnetGroup', '--subnet-group'],
  ['securityGroups', '--security-group'], ['instanceClass', '--instance-class'], ['resetMasterPassword', '--reset-master-password'],
];

/**
 * Refuse options that only an `rds:` source takes.
 *
 * @example
 * checkNoRdsOptions({ snapshot: 'snap-1' }, 'a pg_dump archive'); // throws: --snapshot applies to rds: sources only
 */
export function checkNoRdsOptions(extras: SourceArgExtras, what: string): void {
  const given = RDS_ONLY.find(([key]) => {
    const value = extras[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
  });
  if (given) throw new InvalidInputError(`${given[1]} applies to rds: sources only, and --source is ${what}; leave ${given[1]} out or use --source rds:<instance-or-cluster-id>`);
}

/**
 * `rds:<instance-or-cluster-id>` with exactly one of `--at`, `--snapshot`, `--latest`, and `--secret`
 * for the login (the version that was current at the restore point is used).
 *
 * @example
 * rdsSourceArg('rds:tenants-prod', { at: new Date('2024-01-28T14:30:00Z'), secret: 'prod/tenants' });
 */
export function rdsSourceArg(value: string, extras: SourceArgExtras): RestoreSource {
  const id = value.slice('rds:'.length);
  const example = '--source rds:tenants-prod --at 2024-01-28T14:30:00Z --secret prod/tenants/master';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(id)) {
    throw new InvalidInputError(`--source rds: needs a DB instance or Aurora cluster identifier (letters, digits, hyphens), e.g. ${example}`);
  }
  const chosen = [extras.at && '--at', extras.snapshot && '--snapshot', extras.latest && '--latest'].filter(Boolean);
  if (chosen.length !== 1) {
    const problem = chosen.length === 0 ? 'needs one of' : `takes only one of (got ${chosen.join(' and ')})`;
    throw new InvalidInputError(`--source rds: ${problem} --at <time>, --snapshot <id>, --latest, e.g. ${example}`);
  }
  if (!extras.secret) throw new InvalidInputError(`--source rds: needs --secret <arn-or-name>, the Secrets Manager secret with the database's login, e.g. ${example}`);
  return {
    kind: 'rds',
    id,
    secretId: extras.secret,
    ...(extras.at ? { restoreTime: extras.at } : {}),
    ...(extras.snapshot ? { snapshotId: extras.snapshot } : {}),
    ...(extras.latest ? { useLatestRestorableTime: true } : {}),
    ...(extras.subnetGroup ? { subnetGroup: extras.subnetGroup } : {}),
    ...(extras.securityGroups?.length ? { securityGroupIds: [...extras.securityGroups] } : {}),
    ...(extras.instanceClass ? { instanceClass: extras.instanceClass } : {}),
    ...(extras.resetMasterPassword ? { resetMasterPassword: true } : {}),
  };
}
