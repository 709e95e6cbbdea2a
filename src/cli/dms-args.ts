import { RestoreDmsOptions } from '../copy/dms/dms-engine-options';
import { InvalidInputError } from '../errors';

/** The `--engine` and `--dms-*` options as commander hands them over. */
export interface RawDmsArgs {
  readonly engine?: string;
  readonly dmsInstance?: string;
  readonly dmsSubnetGroup?: string;
  readonly dmsInstanceClass?: string;
  readonly dmsSecurityGroup?: string[];
  readonly dmsRole?: string;
  readonly dmsTargetSecret?: string;
  readonly dmsSourceSecret?: string;
}

const DMS_FLAGS: ReadonlyArray<[keyof RawDmsArgs, string]> = [
  ['dmsInstance', '--dms-instance'], ['dmsSubnetGroup', '--dms-subnet-group'], ['dmsInstanceClass', '--dms-instance-class'],
  ['dmsSecurityGroup', '--dms-security-group'], ['dmsRole', '--dms-role'], ['dmsTargetSecret', '--dms-target-secret'], ['dmsSourceSecret', '--dms-source-secret'],
];

/**
 * Check `--engine` and the `--dms-*` options: the DMS engine needs the role DMS reads secrets with,
 * the target's secret, and a replication instance (existing, or a subnet group to create one in);
 * the copy engine takes none of them.
 *
 * @example
 * parseDmsArgs({ engine: 'dms', dmsSubnetGroup: 'private', dmsRole: 'arn:aws:iam::1:role/dms-secrets', dmsTargetSecret: 'arn:…' });
 */
export function parseDmsArgs(raw: RawDmsArgs): { engine?: 'copy' | 'dms'; dms?: RestoreDmsOptions } {
  const engine = raw.engine;
  if (engine !== undefined && engine !== 'copy' && engine !== 'dms') throw new InvalidInputError(`--engine must be copy or dms (got "${engine}")`);
  const given = DMS_FLAGS.filter(([key]) => {
    const value = raw[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (engine !== 'dms') {
    if (given.length > 0) throw new InvalidInputError(`${given[0][1]} applies to --engine dms only; add --engine dms or leave it out`);
    return engine ? { engine } : {};
  }
  const example = '--engine dms --dms-subnet-group private-subnets --dms-role arn:aws:iam::123456789012:role/dms-secrets --dms-target-secret arn:aws:secretsmanager:…';
  if (!raw.dmsRole) throw new InvalidInputError(`--engine dms needs --dms-role <arn>, the IAM role DMS reads the secrets with, e.g. ${example}`);
  if (!raw.dmsTargetSecret) throw new InvalidInputError(`--engine dms needs --dms-target-secret <arn>, a secret with the target's host, port, username and password, e.g. ${example}`);
  if (!raw.dmsInstance && !raw.dmsSubnetGroup) {
    throw new InvalidInputError(`--engine dms needs --dms-subnet-group <id> (to create a replication instance) or --dms-instance <arn> (to use one), e.g. ${example}`);
  }
  return {
    engine,
    dms: {
      secretsAccessRoleArn: raw.dmsRole,
      targetSecretArn: raw.dmsTargetSecret,
      ...(raw.dmsSourceSecret ? { sourceSecretArn: raw.dmsSourceSecret } : {}),
      ...(raw.dmsInstance ? { replicationInstanceArn: raw.dmsInstance } : {}),
      ...(raw.dmsSubnetGroup ? { replicationSubnetGroupId: raw.dmsSubnetGroup } : {}),
      ...(raw.dmsInstanceClass ? { replicationInstanceClass: raw.dmsInstanceClass } : {}),
      ...(raw.dmsSecurityGroup?.length ? { vpcSecurityGroupIds: [...raw.dmsSecurityGroup] } : {}),
    },
  };
}
