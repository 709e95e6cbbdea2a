import { quoteIdent, quoteQualified } from '../quote';
import { SAMPLE_READER_ROLE } from './sample-layout';

/**
 * SQL adding a loaded sample schema's views, its populated materialized view, row-level security,
 * owners, grants and comments — the objects that come after the data in a dump.
 *
 * Row-level security on `orders` is enabled AND forced (the owner role is subject to it too); the
 * reader role sees no cancelled orders. The owner role owns the schema, `products`, `orders`, a
 * view and a function; everything else stays with the creating user.
 *
 * @example
 * await client.query(sampleAccessSql('customer_a1', 'tenant_a_owner'));
 */
export function sampleAccessSql(schema: string, ownerRole: string): string {
  const q = (name: string): string => quoteQualified(schema, name);
  const owner = quoteIdent(ownerRole);
  const reader = quoteIdent(SAMPLE_READER_ROLE);
  return `
CREATE VIEW ${q('user_order_summary')} AS
SELECT u.id AS user_id, u.email, count(o.id) AS order_count, coalesce(sum(o.total), 0) AS total_spent
  FROM ${q('users')} u
  LEFT JOIN ${q('orders')} o ON o.user_id = u.id
 GROUP BY u.id, u.email;

CREATE VIEW ${q('active_products')} AS
SELECT id, sku, name, price FROM ${q('products')} WHERE active
  WITH LOCAL CHECK OPTION;

CREATE MATERIALIZED VIEW ${q('product_sales')} AS
SELECT p.id AS product_id, p.sku,
       coalesce(sum(oi.quantity), 0) AS units_sold,
       coalesce(sum(oi.quantity * oi.unit_price), 0) AS revenue
  FROM ${q('products')} p
  LEFT JOIN ${q('order_items')} oi ON oi.product_id = p.id
 GROUP BY p.id, p.sku
  WITH DATA;
CREATE UNIQUE INDEX product_sales_product_id_idx ON ${q('product_sales')} (product_id);

ALTER TABLE ${q('orders')} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${q('orders')} FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_owner_all ON ${q('orders')} FOR ALL TO ${owner} USING (true) WITH CHECK (true);
CREATE POLICY orders_reader_not_cancelled ON ${q('orders')} FOR SELECT TO ${reader}
  USING (status <> 'cancelled');

ALTER SCHEMA ${quoteIdent(schema)} OWNER TO ${owner};
ALTER TABLE ${q('products')} OWNER TO ${owner};
ALTER TABLE ${q('orders')} OWNER TO ${owner};
ALTER VIEW ${q('user_order_summary')} OWNER TO ${owner};
ALTER FUNCTION ${q('user_order_total')}(integer) OWNER TO ${owner};

GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${reader};
GRANT SELECT ON ${q('users')}, ${q('products')}, ${q('orders')}, ${q('order_items')} TO ${reader};
GRANT SELECT ON ${q('user_order_summary')}, ${q('active_products')}, ${q('product_sales')} TO ${reader};
GRANT SELECT (id, table_name, operation, changed_at) ON ${q('audit_log')} TO ${reader};
REVOKE EXECUTE ON FUNCTION ${q('user_order_total')}(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ${q('user_order_total')}(integer) TO ${reader};
GRANT SELECT, INSERT, UPDATE, DELETE ON ${q('users')}, ${q('order_items')}, ${q('audit_log')} TO ${owner};
GRANT USAGE ON SEQUENCE ${q('invoice_number_seq')}, ${q('users_id_seq')}, ${q('audit_log_id_seq')} TO ${owner};

COMMENT ON SCHEMA ${quoteIdent(schema)} IS 'Sample tenant customer data';
COMMENT ON TABLE ${q('users')} IS 'Customer accounts';
COMMENT ON COLUMN ${q('users')}.email IS 'Login e-mail, case-insensitive (citext)';
COMMENT ON FUNCTION ${q('user_order_total')}(integer) IS 'Sum of all order totals of a user';`;
}
