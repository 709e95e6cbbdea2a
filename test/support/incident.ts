import { execSql } from './postgres';
import { quoteIdent } from '../../src';

/** The live schema of the incident fixture (a name that needs quoting). */
export const LIVE = 'Tenant-A';
/** Its restored twin: the tenant as it was before the incident. */
export const RESTORED = 'Tenant-A_20240128143000';

const PAST_DDL = `
  CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text, prefs json, score numeric);
  CREATE TABLE products (sku varchar(10) NOT NULL, name text, price numeric, CONSTRAINT products_sku_key UNIQUE (sku));
  CREATE TABLE events (kind text, payload text);
  CREATE TABLE legacy (id int PRIMARY KEY);
  INSERT INTO users SELECT i, 'u' || i || '@example.com', 'User ' || i, json_build_object('a', i), CASE WHEN i % 2 = 1 THEN i END FROM generate_series(1, 10) i;
  INSERT INTO products VALUES ('a', 'Apple', 1), ('b', 'Banana', 2), ('c', 'Cherry', 3);
  INSERT INTO events VALUES ('x', '1'), ('x', '1'), ('y', '2'), ('n', NULL);
  INSERT INTO legacy VALUES (1);`;

/**
 * What happened live since the restore point: users 3 and 4 deleted, 5 (name), 6 (json prefs) and 7
 * (score NULL → 70) changed, 11 added, a column added and filled (not a change); products "b" deleted,
 * "c" repriced, "d" added, sku turned into text; events lost one of two duplicate rows and gained
 * one; table legacy dropped, audit_2024 created.
 */
const INCIDENT = `
  DELETE FROM users WHERE id IN (3, 4);
  UPDATE users SET name = 'Renamed' WHERE id = 5;
  UPDATE users SET prefs = '{"a": 6, "b": 1}' WHERE id = 6;
  UPDATE users SET score = 70 WHERE id = 7;
  INSERT INTO users VALUES (11, 'u11@example.com', 'User 11', '{"a": 11}', NULL);
  ALTER TABLE users ADD COLUMN nickname text;
  UPDATE users SET nickname = 'one' WHERE id = 1;
  DELETE FROM products WHERE sku = 'b';
  UPDATE products SET price = 30 WHERE sku = 'c';
  INSERT INTO products VALUES ('d', 'Date', 4);
  ALTER TABLE products ALTER COLUMN sku TYPE text;
  DELETE FROM events WHERE ctid = (SELECT min(ctid) FROM events WHERE kind = 'x');
  INSERT INTO events VALUES ('z', '3');
  DROP TABLE legacy;
  CREATE TABLE audit_2024 (id int);`;

/**
 * Create the incident fixture in a database: `RESTORED` as the tenant was, `LIVE` as it is after
 * the incident (same past data, then the changes above).
 */
export async function createIncident(url: string): Promise<void> {
  for (const schema of [RESTORED, LIVE]) await execSql(url, `CREATE SCHEMA ${quoteIdent(schema)}; SET search_path = ${quoteIdent(schema)}; ${PAST_DDL}`);
  await execSql(url, `SET search_path = ${quoteIdent(LIVE)}; ${INCIDENT}`);
}
