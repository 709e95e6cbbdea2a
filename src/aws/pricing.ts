import type { PricingClient } from '@aws-sdk/client-pricing';
import { pricingClientOf } from './clients';
import { pricingSdk } from './sdk';

/** An hourly price, or why there is none. */
export interface HourlyCost {
  /** On-demand USD per hour (compute only: storage and I/O are not included). */
  readonly usdPerHour?: number;
  /** How it was priced (`db.r6g.large, PostgreSQL, Single-AZ, eu-west-1`) or why it could not be. */
  readonly basis: string;
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

/** Options of {@link onDemandHourlyCost}. */
export interface OnDemandHourlyCostOptions {
  /** The Price List API lives in us-east-1 (and a few others). @default new PricingClient({ region: 'us-east-1' }) */
  readonly pricing?: PricingClient;
  /** `AmazonRDS`, `AWSDatabaseMigrationSvc`, … */
  readonly serviceCode: string;
  /** Attribute → value, matched exactly (`instanceType`, `regionCode`, …). */
  readonly attributes: Record<string, string>;
  /** What is priced, for people. */
  readonly basis: string;
  /** Units per hour (e.g. ACUs). @default 1 */
  readonly units?: number;
  readonly signal?: AbortSignal;
}

/**
 * The on-demand hourly price of a product from the AWS Price List API. Never throws: without
 * pricing access (or a listed price) the basis says why the price is unknown.
 *
 * @example
 * const cost = await onDemandHourlyCost({
 *   serviceCode: 'AmazonRDS', attributes: { instanceType: 'db.r6g.large', regionCode: 'eu-west-1' }, basis: 'db.r6g.large',
 * });
 */
export async function onDemandHourlyCost(options: OnDemandHourlyCostOptions): Promise<HourlyCost> {
  const pricing = pricingClientOf(options);
  const filters = Object.entries(options.attributes).map(([Field, Value]) => ({ Type: 'TERM_MATCH' as const, Field, Value }));
  try {
    const request = new pricingSdk.GetProductsCommand({ ServiceCode: options.serviceCode, Filters: filters, MaxResults: 100 });
    const { PriceList } = await pricing.send(request, { abortSignal: options.signal });
    const unit = lowestOnDemandUsd(PriceList ?? []);
    if (unit === undefined) return { basis: `no on-demand price listed for ${options.basis}` };
    return { usdPerHour: unit * (options.units ?? 1), basis: options.basis };
  } catch (err) {
    const name = (err as { name?: string }).name ?? 'error';
    return { basis: `price unknown (${name === 'AccessDeniedException' ? 'pricing:GetProducts is not allowed' : `Price List API: ${name}`})` };
  }
}
