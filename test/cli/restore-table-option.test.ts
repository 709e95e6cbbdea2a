import { runCli } from '../../src/cli/program';
import { fakeCli, scriptedRestore } from '../support/cli';

const base = ['restore', '--source', 'postgres://admin@db.internal/tenant_a_past', '--target', 'postgres://admin@db.internal/tenant_a'];

describe('restore --table', () => {
  test('repeatable; the tables\' schemas are implied when --schema is left out', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli([...base, '--table', 'customer_a1.orders', '--table', 'customer_a1.Order Lines', '--json'], cli.deps)).toBe(0);
    expect(cli.calls[0]).toMatchObject({ schemas: ['customer_a1'], tables: ['customer_a1.orders', 'customer_a1.Order Lines'] });
  });

  test('with --schema, a schema whose name holds a dot is matched whole', async () => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli([...base, '--schema', 'acme.eu', '--table', 'acme.eu.orders', '--json'], cli.deps)).toBe(0);
    expect(cli.calls[0]).toMatchObject({ schemas: ['acme.eu'], tables: ['acme.eu.orders'] });
  });

  test.each([
    ['a name without its schema', ['--table', 'orders'], 'pg-schema-restore: table "orders" is not schema.table; name it with its schema, e.g. customer_a1.orders'],
    ['a table whose schema is not restored', ['--schema', 'customer_a1', '--table', 'customer_a2.orders'],
      'pg-schema-restore: table "customer_a2.orders": its schema is not restored (restoring customer_a1); add --schema customer_a2 or fix the name'],
    ['a restored schema without a chosen table', ['--schema', 'customer_a1', '--schema', 'customer_a2', '--table', 'customer_a1.orders'],
      'pg-schema-restore: schema "customer_a2" is restored but none of its tables is named; name its tables (--table customer_a2.<table>) or leave the schema out'],
    ['a table named twice', ['--table', 'customer_a1.orders', '--table', 'customer_a1.orders'], 'pg-schema-restore: table "customer_a1.orders" is named twice; name each table once'],
  ])('%s: one line, exit 2, nothing restored', async (_name, args, line) => {
    const cli = fakeCli(scriptedRestore());
    expect(await runCli([...base, ...args], cli.deps)).toBe(2);
    expect(cli.stderr.lines()).toEqual([line]);
    expect(cli.calls).toEqual([]);
  });
});
