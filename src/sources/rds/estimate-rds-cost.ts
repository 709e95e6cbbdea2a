import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { ServerlessV2ScalingConfiguration } from '@aws-sdk/client-rds';

/** An hourly price, or why there is none. */
export interface HourlyCost {
  /** On-demand USD per hour of the temporary database's compute (storage and I/O not included). */
  readonly usdPerHour?: number;
  /** How it was priced (`db.r6g.large, PostgreSQL, Single-AZ, eu-west-1`) or why it could not be. */
  readonly basis: string;
}

/** Options of {@link estimateRdsHourlyCost}. */
export interface EstimateRdsCostOptions {
  /** The AWS Price List API lives in us-east-1 (and a few others). @default new PricingClient({ region: 'us-east-1' }) */
  readonly pricing?: PricingClient;
  readonly region: string;
  /** `postgres` or `aurora-postgresql`. */
  readonly engine: string;
  readonly instanceClass: string;
  /** Serverless v2: priced per ACU-hour at the minimum capacity. */
  readonly serverless?: ServerlessV2ScalingConfiguration;
  readonly signal?: AbortSignal;
}

/** The lowest on-demand USD price per unit in Price List products (JSON strings). */
function lowestOnDemandUsd(priceList: readonly unknown[]): number | undefined {
  const prices: number[] = [];
  for (const item of priceList) {
    const product = (typeof item === 'string' ? JSON.parse(item) : item) as { terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string } }> }> } };
    for (const term of Object.values(product.terms?.OnDemand ?? {})) {
      for (const dimension of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(dimension.pricePerUnit?.USD);
        if (Number.isFinite(usd) && usd > 0) prices.push(usd);
      }
    }
  }
  return prices.length ? Math.min(...prices) : undefined;
}

const match = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });

/**
 * Estimate what the temporary database costs per hour, from the AWS Price List API (on-demand,
 * compute only). Never fails the plan: without pricing access the basis says why.
 *
 * @example
 * const cost = await estimateRdsHourlyCost({ region: 'eu-west-1', engine: 'postgres', instanceClass: 'db.r6g.large' });
 * console.log(cost.usdPerHour, cost.basis); // 0.258 'db.r6g.large, PostgreSQL, Single-AZ, eu-west-1'
 */
export async function estimateRdsHourlyCost(options: EstimateRdsCostOptions): Promise<HourlyCost> {
  const pricing = options.pricing ?? new PricingClient({ region: 'us-east-1' });
  const databaseEngine = options.engine === 'aurora-postgresql' ? 'Aurora PostgreSQL' : 'PostgreSQL';
  const minAcu = options.serverless?.MinCapacity ?? 0.5;
  const filters = options.serverless
    ? [match('productFamily', 'ServerlessV2'), match('databaseEngine', databaseEngine), match('regionCode', options.region)]
    : [match('instanceType', options.instanceClass), match('databaseEngine', databaseEngine), match('deploymentOption', 'Single-AZ'), match('regionCode', options.region)];
  const basis = options.serverless ? `Serverless v2 at ${minAcu} ACU, ${databaseEngine}, ${options.region}` : `${options.instanceClass}, ${databaseEngine}, Single-AZ, ${options.region}`;
  try {
    const { PriceList } = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonRDS', Filters: filters, MaxResults: 100 }), { abortSignal: options.signal });
    const unit = lowestOnDemandUsd(PriceList ?? []);
    if (unit === undefined) return { basis: `no on-demand price listed for ${basis}` };
    return { usdPerHour: options.serverless ? unit * minAcu : unit, basis };
  } catch (err) {
    const name = (err as { name?: string }).name ?? 'error';
    return { basis: `price unknown (${name === 'AccessDeniedException' ? 'pricing:GetProducts is not allowed' : `Price List API: ${name}`})` };
  }
}
