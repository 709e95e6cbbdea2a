import { createSchemaWithDdl } from './postgres';

/**
 * Create tenant schemas that depend on nothing outside themselves (no extension, no shared
 * table): users, orders with a foreign key, a sequence, a materialized view; `rows` orders each.
 */
export async function createStandaloneTenants(url: string, schemas: readonly string[], rows = 40): Promise<void> {
  for (const schema of schemas) {
    await createSchemaWithDdl(url, schema, `
      CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
      CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES users, total numeric(10,2), note text);
      INSERT INTO users (name) SELECT 'user ' || g FROM generate_series(1, 10) g;
      INSERT INTO orders (user_id, total, note) SELECT 1 + g % 10, g * 1.5, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, ${rows}) g;
      CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;`);
  }
}
