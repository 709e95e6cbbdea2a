import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';

/** Options of {@link RestoreDatabase.fromIdentifier}. */
export interface RestoreDatabaseIdentifierOptions {
  /**
   * Security groups of the live database; the copy task (and DMS) are allowed in through them.
   * @default - none: allow the copy task's security group into the database yourself
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Port the database listens on.
   * @default 5432
   */
  readonly port?: number;
}

/** The live RDS for PostgreSQL instance or Aurora PostgreSQL cluster whose schemas are restored. */
export class RestoreDatabase {
  /** An RDS for PostgreSQL DB instance of this app or imported. */
  public static fromInstance(instance: rds.IDatabaseInstance): RestoreDatabase {
    return new RestoreDatabase(instance.instanceIdentifier, 'db', instance.connections, instance.dbInstanceEndpointAddress, instance.dbInstanceEndpointPort);
  }

  /** An Aurora PostgreSQL DB cluster of this app or imported. */
  public static fromCluster(cluster: rds.IDatabaseCluster): RestoreDatabase {
    return new RestoreDatabase(cluster.clusterIdentifier, 'cluster', cluster.connections, cluster.clusterEndpoint.hostname, cluster.clusterEndpoint.port.toString());
  }

  /** A DB instance or cluster known only by its identifier; whether it is an instance or a cluster is detected at run time. */
  public static fromIdentifier(identifier: string, options: RestoreDatabaseIdentifierOptions = {}): RestoreDatabase {
    const port = options.port ?? 5432;
    const connections = new ec2.Connections({ securityGroups: options.securityGroups ?? [], defaultPort: ec2.Port.tcp(port) });
    return new RestoreDatabase(identifier, undefined, connections, undefined, port.toString());
  }

  private constructor(
    /** The DB instance or cluster identifier. */
    public readonly identifier: string,
    private readonly resourceType: 'db' | 'cluster' | undefined,
    /** Network access to the live database. */
    public readonly connections: ec2.Connections,
    /** Its endpoint, when known at synth time; else the host in its secret is used. */
    public readonly endpointAddress?: string,
    /** Its port, as a string (a token for an instance). */
    public readonly endpointPort?: string,
  ) {}

  /**
   * ARNs of the source that the restore calls act on (instance, cluster, or both when only the identifier is known).
   * @internal
   */
  public _sourceArns(scope: IConstruct): string[] {
    const stack = Stack.of(scope);
    const types = this.resourceType ? [this.resourceType] : ['db', 'cluster'];
    return types.map((resource) => stack.formatArn({ service: 'rds', resource, resourceName: this.identifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
  }
}
