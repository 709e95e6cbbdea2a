import { quoteIdent, quoteLiteral, quoteQualified } from '../quote';

/**
 * SQL creating a sample schema's types, sequences and tables with their constraints and indexes.
 * Every object is qualified by the schema, so the same text works for any schema name.
 *
 * Covers: two enums (one used as an array column), a domain, a standalone sequence used by an SQL
 * function in a column default, serial, bigserial and an identity GENERATED ALWAYS column, JSONB,
 * arrays, a citext column, PK/FK/UNIQUE/CHECK constraints, a FK to `public.countries`, expression,
 * partial and GIN indexes.
 *
 * @example
 * await client.query(sampleTablesSql('customer_a1'));
 */
export function sampleTablesSql(schema: string): string {
  const q = (name: string): string => quoteQualified(schema, name);
  const citext = quoteQualified('public', 'citext');
  const invoiceSequence = quoteLiteral(q('invoice_number_seq'));
  return `
CREATE SCHEMA ${quoteIdent(schema)};

CREATE TYPE ${q('order_status')} AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled');
CREATE TYPE ${q('user_tier')} AS ENUM ('free', 'pro', 'enterprise');
CREATE DOMAIN ${q('money_amount')} AS numeric(12,2) CHECK (VALUE >= 0);

CREATE SEQUENCE ${q('invoice_number_seq')} START WITH 1000 INCREMENT BY 1;
CREATE FUNCTION ${q('next_invoice_number')}() RETURNS text
  LANGUAGE sql VOLATILE
  AS $fn$ SELECT 'INV-' || lpad(nextval(${invoiceSequence})::text, 8, '0') $fn$;

CREATE TABLE ${q('users')} (
  id serial PRIMARY KEY,
  email ${citext} NOT NULL,
  full_name text NOT NULL,
  country_code char(2) REFERENCES ${quoteQualified('public', 'countries')} (code),
  tier ${q('user_tier')} NOT NULL DEFAULT 'free',
  preferences jsonb NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz,
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_email_check CHECK (email::text LIKE '%_@_%')
);
CREATE INDEX users_lower_full_name_idx ON ${q('users')} (lower(full_name));
CREATE INDEX users_preferences_idx ON ${q('users')} USING gin (preferences jsonb_path_ops);

CREATE TABLE ${q('products')} (
  id serial PRIMARY KEY,
  sku text NOT NULL UNIQUE CHECK (char_length(sku) BETWEEN 3 AND 32),
  name text NOT NULL,
  price ${q('money_amount')} NOT NULL,
  attributes jsonb,
  labels text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX products_labels_idx ON ${q('products')} USING gin (labels);

CREATE TABLE ${q('orders')} (
  id bigserial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES ${q('users')} (id) ON DELETE CASCADE,
  status ${q('order_status')} NOT NULL DEFAULT 'pending',
  status_history ${q('order_status')}[] NOT NULL DEFAULT '{pending}',
  invoice_number text NOT NULL DEFAULT ${q('next_invoice_number')}() UNIQUE,
  total ${q('money_amount')} NOT NULL DEFAULT 0,
  shipping jsonb,
  ordered_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz
);
CREATE INDEX orders_user_ordered_at_idx ON ${q('orders')} (user_id, ordered_at DESC);
CREATE INDEX orders_pending_idx ON ${q('orders')} (ordered_at) WHERE status = 'pending';

CREATE TABLE ${q('order_items')} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES ${q('orders')} (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES ${q('products')} (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price ${q('money_amount')} NOT NULL,
  CONSTRAINT order_items_order_product_key UNIQUE (order_id, product_id)
);
CREATE INDEX order_items_product_idx ON ${q('order_items')} (product_id);

CREATE TABLE ${q('audit_log')} (
  id bigserial PRIMARY KEY,
  table_name text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  row_id bigint,
  changed_by text NOT NULL DEFAULT current_user,
  changed_at timestamptz NOT NULL DEFAULT now(),
  old_data jsonb,
  new_data jsonb
);`;
}
