import type { PricingClient } from '@aws-sdk/client-pricing';
import { RestoreDmsOptions } from './dms-engine-options';
import { dmsClientOf } from '../../aws/clients';
import { onDemandHourlyCost } from '../../aws/pricing';
import type { PlannedResource } from '../../sources/plan-source';

/** Options of {@link planDmsResources}. */
export interface PlanDmsResourcesOptions {
  readonly dms: RestoreDmsOptions;
  readonly schemas: readonly string[];
  readonly pricing?: PricingClient;
  readonly signal?: AbortSignal;
}

/**
 * The DMS resources a restore with the `dms` engine would create — a replication instance unless
 * one is given, a source and a target endpoint, one full-load task per schema — with the replication
 * instance's on-demand hourly price (endpoints and tasks cost nothing of their own).
 *
 * @example
 * const resources = await planDmsResources({ dms: options.dms, schemas: ['customer_a1'] });
 */
export async function planDmsResources(options: PlanDmsResourcesOptions): Promise<PlannedResource[]> {
  const { dms, schemas } = options;
  const resources: PlannedResource[] = [];
  if (!dms.replicationInstanceArn) {
    const instanceClass = dms.replicationInstanceClass ?? 'dms.t3.medium';
    const region = await dmsClientOf(dms.clients).config.region().catch(() => undefined);
    const cost = region === undefined ? { usdPerHour: undefined, basis: 'price unknown (no AWS region configured)' } : await onDemandHourlyCost({
      pricing: options.pricing,
      signal: options.signal,
      serviceCode: 'AWSDatabaseMigrationSvc',
      attributes: { instanceType: instanceClass, regionCode: region },
      basis: `${instanceClass}, DMS replication instance, ${region}`,
    });
    resources.push({
      kind: 'dms-replication-instance',
      name: 'pgsr-<restore-id>',
      detail: `${instanceClass}, private, Single-AZ, in ${dms.replicationSubnetGroupId}, tagged`,
      usdPerHour: cost.usdPerHour,
      costBasis: cost.basis,
    });
  }
  resources.push(
    { kind: 'dms-endpoint', name: 'pgsr-<restore-id>-source', detail: 'reads its login from the source secret', costBasis: 'no charge of its own' },
    { kind: 'dms-endpoint', name: 'pgsr-<restore-id>-target', detail: 'reads its login from --dms-target-secret', costBasis: 'no charge of its own' },
    ...schemas.map((schema, i) => ({
      kind: 'dms-task', name: `pgsr-<restore-id>-${i}`, detail: `full load of ${schema} into its staging schema`, costBasis: 'no charge of its own',
    })),
  );
  return resources;
}
