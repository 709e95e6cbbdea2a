import { parseSync } from 'libpg-query';
import { objectKey, selectStatements } from '../../src/ddl/select-statements';
import { loadSqlParser } from '../../src/ddl/sql-tokens';
import { ObjectName, statementSubject } from '../../src/ddl/statement-subject';

beforeAll(loadSqlParser);

const subject = (sql: string) => statementSubject(parseSync(sql).stmts![0].stmt);
const rel = (name: string): ObjectName => ({ kind: 'relation', schema: 's', name });

describe('statementSubject: what a pg_dump statement belongs to', () => {
  test.each([
    ['CREATE TABLE s.orders (id int)', rel('orders')],
    ['CREATE INDEX i ON s.orders (id)', rel('orders')],
    ['ALTER TABLE ONLY s.orders ADD CONSTRAINT k FOREIGN KEY (c) REFERENCES s.customers (id)', rel('orders')],
    ['CREATE TRIGGER t BEFORE UPDATE ON s.orders FOR EACH ROW EXECUTE FUNCTION s.touch()', rel('orders')],
    ['CREATE POLICY p ON s.orders USING (true)', rel('orders')],
    ['COMMENT ON COLUMN s.orders.id IS \'x\'', rel('orders')],
    ['COMMENT ON CONSTRAINT k ON s.orders IS \'x\'', rel('orders')],
    ['GRANT SELECT ON TABLE s.orders TO PUBLIC', rel('orders')],
    ['ALTER SEQUENCE s.q OWNED BY s.orders.id', rel('q')],
    ['CREATE MATERIALIZED VIEW s.mv AS SELECT 1', rel('mv')],
    ['CREATE TYPE s.status AS ENUM (\'a\')', { kind: 'type', schema: 's', name: 'status' }],
    ['CREATE TYPE s.addr AS (street text)', { kind: 'type', schema: 's', name: 'addr' }],
    ['CREATE DOMAIN s.positive AS numeric', { kind: 'type', schema: 's', name: 'positive' }],
    ['COMMENT ON CONSTRAINT c ON DOMAIN s.positive IS \'x\'', { kind: 'type', schema: 's', name: 'positive' }],
    ['ALTER TYPE s.status OWNER TO bob', { kind: 'type', schema: 's', name: 'status' }],
    ['CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', { kind: 'function', schema: 's', name: 'f' }],
    ['GRANT ALL ON FUNCTION s.f(integer) TO bob', { kind: 'function', schema: 's', name: 'f' }],
    ['CREATE AGGREGATE s.ag(int) (sfunc = s.f, stype = int)', { kind: 'function', schema: 's', name: 'ag' }],
    ['COMMENT ON SCHEMA s IS \'x\'', 'schema'],
    ['CREATE SCHEMA s', 'schema'],
    ['SET check_function_bodies = false', 'setting'],
  ])('%s', (sql, expected) => {
    expect(subject(sql)).toEqual(expected);
  });
});

describe('selectStatements', () => {
  const dump = `
    SET client_encoding = 'UTF8';
    CREATE SCHEMA s;
    CREATE TYPE s.status AS ENUM ('a');
    CREATE TYPE s.unused AS ENUM ('b');
    CREATE SEQUENCE s.q;
    ALTER SEQUENCE s.q OWNED BY s.other.id;
    CREATE TABLE s.orders (id int, c int, status s.status, n bigint DEFAULT nextval('s.q'::regclass));
    CREATE TABLE s.other (id int);
    CREATE TABLE s.customers (id int);
    ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_c_fkey FOREIGN KEY (c) REFERENCES s.customers(id);
    ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_o_fkey FOREIGN KEY (c) REFERENCES s.other(id);
    ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_p_fkey FOREIGN KEY (c) REFERENCES public.plans(id);
    COMMENT ON CONSTRAINT orders_o_fkey ON s.orders IS 'gone with its key';
    COMMENT ON CONSTRAINT orders_c_fkey ON s.orders IS 'kept';`;
  const keep = new Set([rel('orders'), rel('customers'), rel('q'), { kind: 'type', schema: 's', name: 'status' } as ObjectName].map(objectKey));

  test('keeps the chosen objects, settings and the schema; leaves out the rest, keys to tables left behind, and an OWNED BY such a table', () => {
    const { ddl, warnings } = selectStatements(dump, { keep, schemas: ['s'] });
    expect(ddl.split(';\n').map((s) => s.trim()).filter(Boolean)).toEqual([
      'SET client_encoding = \'UTF8\'',
      'CREATE SCHEMA s',
      'CREATE TYPE s.status AS ENUM (\'a\')',
      'CREATE SEQUENCE s.q',
      'CREATE TABLE s.orders (id int, c int, status s.status, n bigint DEFAULT nextval(\'s.q\'::regclass))',
      'CREATE TABLE s.customers (id int)',
      'ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_c_fkey FOREIGN KEY (c) REFERENCES s.customers(id)',
      'ALTER TABLE ONLY s.orders ADD CONSTRAINT orders_p_fkey FOREIGN KEY (c) REFERENCES public.plans(id)',
      'COMMENT ON CONSTRAINT orders_c_fkey ON s.orders IS \'kept\'',
    ]);
    expect(warnings).toEqual([
      'sequence s.q is owned by s.other, which is not among the restored tables: restored as a standalone sequence',
      'foreign key orders_o_fkey of s.orders references s.other, which is not among the restored tables: left out',
    ]);
  });
});
