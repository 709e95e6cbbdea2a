import { detectRdsSource } from './detect-rds-source';
import { estimateRdsHourlyCost } from './estimate-rds-cost';
import { describeRdsRestore } from './restore-rds';
import { checkRdsSource, validateRdsRestore } from './validate-rds-restore';
import { rdsClientOf } from '../../aws/clients';
import { temporaryIdentifier } from '../../aws/tags';
import type { RestoreSchemaOptions } from '../../restore-options';
import type { PlannedResource, SourcePlan } from '../plan-source';
import { RdsSource } from '../restore-source';

/**
 * What a dry run knows of an RDS source: it is validated exactly as a restore would validate it
 * (engine, window, snapshot, login) and nothing is created.
 *
 * @example
 * const plan = await planRdsSource({ kind: 'rds', id: 'prod-db', useLatestRestorableTime: true, secretId: 'prod-db' }, options);
 */
export async function planRdsSource(source: RdsSource, options: Pick<RestoreSchemaOptions, 'clients' | 'signal'>): Promise<SourcePlan> {
  checkRdsSource(source);
  const rds = rdsClientOf(options.clients);
  const { signal } = options;
  const plan = await validateRdsRestore({ rds, source, detected: await detectRdsSource({ rds, id: source.id, signal }), signal });
  const restorePoint = plan.method.type === 'time' ? plan.method.restoreTime : plan.method.type === 'snapshot' ? plan.method.createdAt : undefined;
  const temporary = plan.sourceType === 'instance' ? `a temporary ${plan.instanceClass} instance` : `a temporary Aurora cluster with one ${plan.instanceClass} instance`;
  const region = await rds.config.region();
  const cost = await estimateRdsHourlyCost({
    pricing: options.clients?.pricing, region, engine: plan.engine, instanceClass: plan.instanceClass, serverless: plan.serverless, signal,
  });
  const instanceName = temporaryIdentifier('<restore-id>', plan.sourceType === 'cluster' ? '1' : undefined);
  const resources: PlannedResource[] = [
    ...(plan.sourceType === 'cluster' ? [{
      kind: 'rds-cluster', name: temporaryIdentifier('<restore-id>'), detail: `${plan.engine}, restored from ${plan.sourceId}, tagged`, costBasis: 'billed through its instance and storage',
    }] : []),
    { kind: 'rds-instance', name: instanceName, detail: `${plan.instanceClass}, private, Single-AZ, tagged`, usdPerHour: cost.usdPerHour, costBasis: cost.basis },
    ...(source.secretId ? [{ kind: 'secret', name: 'pg-schema-restore/<random>', detail: 'login for the temporary host, tagged', costBasis: 'billed per month, deleted within the hour' }] : []),
  ];
  return {
    description: describeRdsRestore(plan),
    restorePoint,
    tablesUnknownReason: 'listed once the temporary RDS database exists (a dry run creates nothing)',
    steps: [
      `restore ${describeRdsRestore(plan, restorePoint)} into ${temporary} (private, tagged, deleted when the restore ends)`,
      'log in with the given credentials or the secret version current at the restore point',
    ],
    warnings: [],
    resources,
  };
}
