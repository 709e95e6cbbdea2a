import { quoteIdent, quoteQualified } from '../quote';

/**
 * SQL creating a sample schema's functions, procedure and triggers (after its tables exist).
 *
 * Covers: plpgsql trigger functions (one audits into a table of the same schema), a function whose
 * settings pin `search_path` to the schema and whose body therefore names tables unqualified, a
 * SQL-standard `BEGIN ATOMIC` function, a procedure, BEFORE/AFTER triggers with a WHEN clause and
 * an `UPDATE OF column` list.
 *
 * @example
 * await client.query(sampleRoutinesSql('customer_a1'));
 */
export function sampleRoutinesSql(schema: string): string {
  const q = (name: string): string => quoteQualified(schema, name);
  return `
CREATE FUNCTION ${q('touch_updated_at')}() RETURNS trigger
  LANGUAGE plpgsql
  AS $fn$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

CREATE FUNCTION ${q('audit_row_change')}() RETURNS trigger
  LANGUAGE plpgsql
  AS $fn$
BEGIN
  INSERT INTO ${q('audit_log')} (table_name, operation, row_id, old_data, new_data)
  VALUES (
    TG_TABLE_NAME,
    TG_OP,
    CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END
  );
  RETURN NULL;
END
$fn$;

CREATE FUNCTION ${q('user_order_total')}(p_user_id integer) RETURNS numeric
  LANGUAGE sql STABLE
  SET search_path = ${quoteIdent(schema)}, pg_temp
  AS $fn$ SELECT coalesce(sum(total), 0) FROM orders WHERE user_id = p_user_id $fn$;

CREATE FUNCTION ${q('active_product_count')}() RETURNS bigint
  LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM ${q('products')} WHERE active;
END;

CREATE PROCEDURE ${q('cancel_stale_orders')}(p_before timestamptz)
  LANGUAGE plpgsql
  AS $fn$
BEGIN
  UPDATE ${q('orders')}
     SET status = 'cancelled', status_history = status_history || 'cancelled'::${q('order_status')}
   WHERE status = 'pending' AND ordered_at < p_before;
END
$fn$;

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON ${q('users')}
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION ${q('touch_updated_at')}();
CREATE TRIGGER orders_touch_updated_at BEFORE UPDATE ON ${q('orders')}
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION ${q('touch_updated_at')}();
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OF status OR DELETE ON ${q('orders')}
  FOR EACH ROW EXECUTE FUNCTION ${q('audit_row_change')}();
CREATE TRIGGER users_audit AFTER UPDATE OR DELETE ON ${q('users')}
  FOR EACH ROW EXECUTE FUNCTION ${q('audit_row_change')}();`;
}
