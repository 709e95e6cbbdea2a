import { Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acceptFindings, AcceptedFinding } from './accepted-findings';
import { RESTORE_ID_TAG, TEMPORARY_SECRETS_FINDING, temporarySecretsArn } from './restore-permissions';

/** The copy task's DMS permissions: by tag, as the resources get names only at run time. */
const DMS_RUN_TIME_RESOURCES: AcceptedFinding = {
  id: 'AwsSolutions-IAM5',
  reason: 'The DMS resources of a restore are named at run time: creating them requires the restore-id tag in the request, changing and deleting them requires it on the resource, and describe calls filter by ARNs known only at run time.',
  appliesTo: [/^Resource::\*$/, /^Action::dms:Describe\*$/],
};

/** @internal */
export interface DmsSupportProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SelectedSubnets;
  /** The live database's secret, which the DMS target endpoint reads. */
  readonly secret: secretsmanager.ISecret;
  /** The copy task, which creates, runs and deletes the DMS resources of each schema. */
  readonly taskRole: iam.IRole;
}

/**
 * What the DMS engine needs that lives as long as the construct: a replication subnet group, a
 * security group for the replication instances, and the role DMS reads the secrets with.
 * (AWS::DMS::ReplicationSubnetGroup needs the account's `dms-vpc-role`, which DMS's console creates.)
 * @internal
 */
export class DmsSupport extends Construct {
  public readonly subnetGroup: dms.CfnReplicationSubnetGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly secretsRole: iam.Role;

  constructor(scope: Construct, id: string, props: DmsSupportProps) {
    super(scope, id);
    this.subnetGroup = new dms.CfnReplicationSubnetGroup(this, 'SubnetGroup', {
      replicationSubnetGroupDescription: 'pg-schema-restore temporary replication instances',
      subnetIds: props.subnets.subnetIds,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: 'pg-schema-restore DMS replication instances: reach the temporary and the live database',
    });
    const region = Stack.of(this).region;
    this.secretsRole = new iam.Role(this, 'SecretsRole', {
      assumedBy: new iam.ServicePrincipal(`dms.${region}.amazonaws.com`),
      description: 'DMS reads the temporary and the live database login from Secrets Manager',
    });
    props.secret.grantRead(this.secretsRole);
    this.secretsRole.addToPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [temporarySecretsArn(this)],
    }));
    this.grantTask(props.taskRole);
    acceptFindings(this.secretsRole, [TEMPORARY_SECRETS_FINDING]);
  }

  private grantTask(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dms:CreateReplicationInstance', 'dms:CreateEndpoint', 'dms:CreateReplicationTask', 'dms:AddTagsToResource'],
      resources: ['*'],
      conditions: { Null: { [`aws:RequestTag/${RESTORE_ID_TAG}`]: 'false' } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dms:StartReplicationTask', 'dms:StopReplicationTask', 'dms:DeleteReplicationTask', 'dms:DeleteEndpoint', 'dms:DeleteReplicationInstance', 'dms:TestConnection'],
      resources: ['*'],
      conditions: { Null: { [`aws:ResourceTag/${RESTORE_ID_TAG}`]: 'false' } },
    }));
    // DMS describe calls filter by ARNs known only at run time.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dms:Describe*'], resources: ['*'] }));
    this.secretsRole.grantPassRole(role);
    acceptFindings(role, [DMS_RUN_TIME_RESOURCES]);
  }
}
