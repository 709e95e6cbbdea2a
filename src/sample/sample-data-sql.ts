import { quoteLiteral, quoteQualified } from '../quote';
import { SAMPLE_COUNTRIES, SAMPLE_TABLES, sampleProductCount } from './sample-layout';

/**
 * SQL filling a sample schema with `rows` users and their products, orders and order items. Values
 * are arithmetic on the row number (no random()), so counts and contents are the same every time;
 * see {@link sampleRowCounts} for the resulting counts.
 *
 * @example
 * await client.query(sampleDataSql('customer_a1', 200));
 */
export function sampleDataSql(schema: string, rows: number): string {
  const q = (name: string): string => quoteQualified(schema, name);
  const products = sampleProductCount(rows);
  const countries = `ARRAY[${SAMPLE_COUNTRIES.map(([code]) => quoteLiteral(code)).join(', ')}]`;
  // Email domains must be valid host names whatever the schema is called.
  const mailDomain = quoteLiteral(`${schema.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'tenant'}.example`);
  return `
INSERT INTO ${q('users')} (email, full_name, country_code, tier, preferences, tags, created_at)
SELECT format('user%s@%s', i, ${mailDomain}),
       format('User %s', i),
       CASE WHEN i % 17 = 0 THEN NULL ELSE (${countries})[1 + i % ${SAMPLE_COUNTRIES.length}] END,
       (enum_range(NULL::${q('user_tier')}))[1 + i % 3],
       jsonb_build_object('newsletter', i % 2 = 0, 'language', (ARRAY['en', 'de', 'fr'])[1 + i % 3],
                          'theme', CASE WHEN i % 5 = 0 THEN 'dark' ELSE 'light' END),
       CASE i % 4 WHEN 0 THEN ARRAY['vip'] WHEN 1 THEN ARRAY[]::text[] ELSE ARRAY['beta', 'early-adopter'] END,
       timestamptz '2023-01-01 00:00:00+00' + i * interval '3 hours'
  FROM generate_series(1, ${rows}) AS i
 ORDER BY i;

INSERT INTO ${q('products')} (sku, name, price, attributes, labels, active)
SELECT format('SKU-%s', lpad(i::text, 5, '0')),
       format('Product %s', i),
       (5 + (i * 37) % 200) + 0.99,
       jsonb_build_object('color', (ARRAY['red', 'green', 'blue', 'black'])[1 + i % 4],
                          'weight_g', 100 + (i * 13) % 900,
                          'dimensions_cm', jsonb_build_array(10 + i % 5, 20 + i % 7, 5)),
       CASE i % 3 WHEN 0 THEN ARRAY['new'] WHEN 1 THEN ARRAY['sale', 'eco'] ELSE ARRAY[]::text[] END,
       i % 7 <> 0
  FROM generate_series(1, ${products}) AS i
 ORDER BY i;

INSERT INTO ${q('orders')} (user_id, status, status_history, shipping, ordered_at)
SELECT 1 + (i - 1) % ${rows},
       (enum_range(NULL::${q('order_status')}))[1 + i % 5],
       (enum_range(NULL::${q('order_status')}))[1:1 + i % 5],
       CASE WHEN i % 6 = 0 THEN NULL
            ELSE jsonb_build_object('method', (ARRAY['standard', 'express', 'pickup'])[1 + i % 3],
                                    'address', jsonb_build_object('city', format('City %s', i % 50),
                                                                  'zip', lpad(((i * 7919) % 100000)::text, 5, '0')))
       END,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '37 minutes'
  FROM generate_series(1, ${rows * 3}) AS i
 ORDER BY i;

INSERT INTO ${q('order_items')} (order_id, product_id, quantity, unit_price)
SELECT o.id, p.id, 1 + (o.id + k) % 4, p.price
  FROM ${q('orders')} o
 CROSS JOIN generate_series(0, 1) AS k
  JOIN ${q('products')} p ON p.id = 1 + (o.id + k * 7) % ${products}
 ORDER BY o.id, k;

UPDATE ${q('orders')} o
   SET total = s.total
  FROM (SELECT order_id, sum(quantity * unit_price) AS total FROM ${q('order_items')} GROUP BY order_id) s
 WHERE s.order_id = o.id;

${SAMPLE_TABLES.map((table) => `ANALYZE ${q(table)};`).join('\n')}`;
}
