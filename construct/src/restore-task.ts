import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acceptFindings } from './accepted-findings';

/** @internal */
export interface RestoreTaskProps {
  readonly vpc: ec2.IVpc;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly image?: ecs.ContainerImage;
  readonly logRetention: logs.RetentionDays;
  /** Settings that do not change between executions (secret ARNs, bucket, DMS settings); no password. */
  readonly environment: Record<string, string>;
}

/** The Fargate task that copies DDL and data with the bundled CLI. @internal */
export class RestoreTask extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RestoreTaskProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc });
    // The L2 prop `containerInsights` is deprecated and its replacement is newer than our aws-cdk-lib floor; the L1 property is in both.
    (this.cluster.node.defaultChild as ecs.CfnCluster).clusterSettings = [{ name: 'containerInsights', value: 'enabled' }];
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.container = this.taskDefinition.addContainer('restore', {
      image: props.image ?? ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'assets', 'image')),
      environment: props.environment,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'restore', logGroup: new logs.LogGroup(this, 'Logs', { retention: props.logRetention }) }),
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: 'pg-schema-restore copy task: reaches the temporary and the live database, ECR, Secrets Manager and S3',
    });
    acceptFindings(this.taskDefinition.node.defaultChild!, [
      { id: 'AwsSolutions-ECS2', reason: 'The container environment holds ARNs, names and the request only; logins are read from Secrets Manager at run time.' },
    ]);
    if (this.taskDefinition.executionRole) {
      acceptFindings(this.taskDefinition.executionRole, [
        { id: 'AwsSolutions-IAM5', reason: 'Pulling the image from ECR needs ecr:GetAuthorizationToken, which has no resource-level permission.', appliesTo: [/^Resource::\*$/] },
      ]);
    }
  }
}
