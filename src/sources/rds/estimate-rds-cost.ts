import type { PricingClient } from '@aws-sdk/client-pricing';
import type { ServerlessV2ScalingConfiguration } from '@aws-sdk/client-rds';
import { HourlyCost, onDemandHourlyCost } from '../../aws/pricing';

/** Options of {@link estimateRdsHourlyCost}. */
export interface EstimateRdsCostOptions {
  /** @default new PricingClient({ region: 'us-east-1' }) */
  readonly pricing?: PricingClient;
  readonly region: string;
  /** `postgres` or `aurora-postgresql`. */
  readonly engine: string;
  readonly instanceClass: string;
  /** Serverless v2: priced per ACU-hour at the minimum capacity. */
  readonly serverless?: ServerlessV2ScalingConfiguration;
  readonly signal?: AbortSignal;
}

/**
 * Estimate what the temporary database costs per hour, from the AWS Price List API (on-demand,
 * compute only). Never fails the plan: without pricing access the basis says why.
 *
 * @example
 * const cost = await estimateRdsHourlyCost({ region: 'eu-west-1', engine: 'postgres', instanceClass: 'db.r6g.large' });
 * console.log(cost.usdPerHour, cost.basis); // 0.258 'db.r6g.large, PostgreSQL, Single-AZ, eu-west-1'
 */
export function estimateRdsHourlyCost(options: EstimateRdsCostOptions): Promise<HourlyCost> {
  const databaseEngine = options.engine === 'aurora-postgresql' ? 'Aurora PostgreSQL' : 'PostgreSQL';
  const { pricing, region, signal } = options;
  if (options.serverless) {
    const minAcu = options.serverless.MinCapacity ?? 0.5;
    return onDemandHourlyCost({
      pricing,
      signal,
      serviceCode: 'AmazonRDS',
      units: minAcu,
      attributes: { productFamily: 'ServerlessV2', databaseEngine, regionCode: region },
      basis: `Serverless v2 at ${minAcu} ACU, ${databaseEngine}, ${region}`,
    });
  }
  return onDemandHourlyCost({
    pricing,
    signal,
    serviceCode: 'AmazonRDS',
    attributes: { instanceType: options.instanceClass, databaseEngine, deploymentOption: 'Single-AZ', regionCode: region },
    basis: `${options.instanceClass}, ${databaseEngine}, Single-AZ, ${region}`,
  });
}
