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
  /** Name of the container, also the prefix of its log streams. @default 'restore' */
  readonly containerName?: string;
  /** The program the container runs instead of the image's entry point (restore-task.js). @default - the image's */
  readonly entryPoint?: string[];
  /** What the task does, for its security group's description. @default 'copy task: reaches the temporary and the live database, ECR, Secrets Manager and S3' */
  readonly purpose?: string;
  /** A cluster to run in, shared with another task. @default - a new cluster with container insights */
  readonly cluster?: ecs.ICluster;
  /** Disk of the task, in GiB (21–200). @default - Fargate's 20 GiB */
  readonly ephemeralStorageGiB?: number;
}

/** A Fargate task of the packaged image: the restore's copy task, or another program of the image (backups, drills). @internal */
export class RestoreTask extends Construct {
  public readonly cluster: ecs.ICluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RestoreTaskProps) {
    super(scope, id);
    this.cluster = props.cluster ?? newCluster(this, props.vpc);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      ephemeralStorageGiB: props.ephemeralStorageGiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const containerName = props.containerName ?? 'restore';
    this.container = this.taskDefinition.addContainer(containerName, {
      image: props.image ?? ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'assets', 'image')),
      environment: props.environment,
      entryPoint: props.entryPoint,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: containerName, logGroup: new logs.LogGroup(this, 'Logs', { retention: props.logRetention }) }),
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `pg-schema-restore ${props.purpose ?? 'copy task: reaches the temporary and the live database, ECR, Secrets Manager and S3'}`,
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

function newCluster(scope: Construct, vpc: ec2.IVpc): ecs.Cluster {
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc });
  // The L2 prop `containerInsights` is deprecated and its replacement is newer than our aws-cdk-lib floor; the L1 property is in both.
  (cluster.node.defaultChild as ecs.CfnCluster).clusterSettings = [{ name: 'containerInsights', value: 'enabled' }];
  return cluster;
}
