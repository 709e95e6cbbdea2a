import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acceptFindings } from './accepted-findings';

/**
 * The handlers prebuilt into `assets/handlers/<name>/index.js` by the package's build, each from the
 * SDK's `src/handlers/<name>.lambda.ts` (test/contract/ keeps the two lists the same).
 */
export const HANDLER_NAMES = ['start-request', 'detect-source', 'start-temporary', 'check-temporary', 'resolve-secret', 'cleanup', 'finish-request'] as const;

/** One of {@link HANDLER_NAMES}. */
export type HandlerName = typeof HANDLER_NAMES[number];

/** What every function of the state machine shares. @internal */
export interface RestoreFunctionsProps {
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** Network of the function that logs in to the temporary database. */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly verifierSecurityGroup: ec2.ISecurityGroup;
}

/** The state machine's Lambda functions: thin adapters over the pg-schema-restore SDK. @internal */
export class RestoreFunctions extends Construct {
  public readonly startRequest: lambda.Function;
  public readonly detectSource: lambda.Function;
  public readonly startTemporary: lambda.Function;
  public readonly checkTemporary: lambda.Function;
  public readonly resolveSecret: lambda.Function;
  public readonly cleanup: lambda.Function;
  public readonly finishRequest: lambda.Function;

  constructor(scope: Construct, id: string, private readonly props: RestoreFunctionsProps) {
    super(scope, id);
    this.startRequest = this.handler('start-request', 'StartRequest');
    this.detectSource = this.handler('detect-source', 'DetectSource');
    this.startTemporary = this.handler('start-temporary', 'StartTemporary');
    this.checkTemporary = this.handler('check-temporary', 'CheckTemporary');
    // It verifies the historical login against the temporary database, so it runs in the VPC.
    this.resolveSecret = this.handler('resolve-secret', 'ResolveSecret', {
      vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: [props.verifierSecurityGroup], timeout: Duration.minutes(5),
    });
    // Deleting waits for RDS to leave transitional states; give it the most time a function has.
    this.cleanup = this.handler('cleanup', 'Cleanup', { timeout: Duration.minutes(15) });
    this.finishRequest = this.handler('finish-request', 'FinishRequest');
    acceptFindings(this, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AWSLambdaBasicExecutionRole and, for the login check in the VPC, AWSLambdaVPCAccessExecutionRole only allow writing logs and managing the function\'s network interfaces.',
        appliesTo: [/^Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambda(Basic|VPCAccess)ExecutionRole$/],
      },
      { id: 'AwsSolutions-IAM5', reason: 'X-Ray tracing and the RDS describe calls (identifiers and snapshots named at run time) have no resource-level permissions.', appliesTo: [/^Resource::\*$/] },
    ]);
    for (const fn of this.all) {
      acceptFindings(fn.node.defaultChild!, [
        { id: 'AwsSolutions-L1', reason: 'The handlers are bundled for and tested on Node.js 22 (supported by Lambda until 2027); a newer runtime comes with a release of this construct, not with the app\'s aws-cdk-lib.' },
      ]);
    }
  }

  /** Every function, for grants that all of them need. */
  public get all(): lambda.Function[] {
    return [this.startRequest, this.detectSource, this.startTemporary, this.checkTemporary, this.resolveSecret, this.cleanup, this.finishRequest];
  }

  private handler(name: HandlerName, id: string, extra: Partial<lambda.FunctionProps> = {}): lambda.Function {
    return new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'handlers', name)),
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: this.props.environment,
      logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: this.props.logRetention }),
      tracing: lambda.Tracing.ACTIVE,
      ...extra,
    });
  }
}
