import { CreateReplicationTaskCommand } from '@aws-sdk/client-database-migration-service';
import { migrateSchemas, PhaseEvent, ProgressEvent, restoreSchema } from '../../../src';
import { completedTable, FAST_DMS_WAIT, fakeDms, FakeTaskRun } from '../../support/dms';
import { createDatabase, createSchemaWithDdl, tableDigest, useLocalCluster } from '../../support/postgres';

const sourceCluster = useLocalCluster();
const targetCluster = useLocalCluster();
let sourceUrl: string;
let targetUrl: string;

beforeAll(async () => {
  sourceUrl = await createDatabase(sourceCluster(), 'tenant_a');
  targetUrl = await createDatabase(targetCluster(), 'tenant_a');
  await createSchemaWithDdl(sourceUrl, 'customer_a1', `
    CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users, qty int, total int GENERATED ALWAYS AS (qty * 3) STORED);
    CREATE MATERIALIZED VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders GROUP BY user_id;
    INSERT INTO users (name) SELECT 'user ' || g FROM generate_series(1, 50) g;
    INSERT INTO orders (user_id, qty) SELECT 1 + g % 50, g FROM generate_series(1, 500) g;
    REFRESH MATERIALIZED VIEW order_counts;`);
});

/** What DMS would do for a task: read the mapping it was given and load those tables (here with the copy engine). */
async function loadLikeDms(task: FakeTaskRun): Promise<{ statistics: ReturnType<typeof completedTable>[] }> {
  const rules = task.tableMappings.rules;
  const source = rules.find((r) => r['rule-type'] === 'selection' && r['rule-action'] === 'include')!['object-locator']['schema-name'].replace(/\[(.)\]/g, '$1');
  const target = rules.find((r) => r['rule-action'] === 'rename' && r['rule-target'] === 'schema')!.value!;
  expect(task.settings.FullLoadSettings.TargetTablePrepMode).toBe('DO_NOTHING');
  const copied = await migrateSchemas({ engine: 'copy', source: sourceUrl, target: targetUrl, schemas: [{ source, target }] });
  return { statistics: copied.map((t) => completedTable(t.schema, t.table, t.rows)) };
}

test('restoreSchema with engine "dms": pre-data, the DMS load, post-data, sequences, materialized views and validation', async () => {
  const dms = fakeDms({ load: loadLikeDms });
  const events: ProgressEvent[] = [];
  const report = await restoreSchema({
    source: sourceUrl,
    target: targetUrl,
    schemas: ['customer_a1'],
    suffix: '_dms',
    restoreId: 'r1dms',
    engine: 'dms',
    dms: {
      clients: { dms: dms.client },
      replicationSubnetGroupId: 'db-subnets',
      sourceSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:past',
      targetSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:live',
      secretsAccessRoleArn: 'arn:aws:iam::123456789012:role/dms-secrets',
      sourceDatabase: 'tenant_a',
      targetDatabase: 'tenant_a',
      wait: FAST_DMS_WAIT,
    },
    onProgress: (e) => events.push(e),
  });

  const [schema] = report.schemas;
  expect(schema.restored).toBe('customer_a1_dms');
  expect(schema.tables.map((t) => [t.name, t.kind, t.rows, t.checksumMatch])).toEqual([
    ['orders', 'table', 500, true], ['users', 'table', 50, true], ['order_counts', 'materialized view', 50, true],
  ]);
  expect(schema.sequences.map((s) => [s.name, s.lastValue])).toEqual([['orders_id_seq', '500'], ['users_id_seq', '50']]);
  for (const table of ['users', 'orders']) expect(await tableDigest(targetUrl, 'customer_a1_dms', table)).toEqual(await tableDigest(sourceUrl, 'customer_a1', table));

  const phases = events.filter((e): e is PhaseEvent => e.type === 'phase' && e.status === 'start').map((e) => e.phase);
  expect(phases).toEqual(['connect', 'extract-ddl', 'pre-data', 'copy', 'post-data', 'sequences', 'materialized-views', 'validate', 'publish']);
  expect(events).toContainEqual(expect.objectContaining({ type: 'phase', phase: 'copy', status: 'start', message: expect.stringContaining('AWS DMS full load') }));
  // the task was created for the staging schema and named after the restore
  const task = dms.mock.commandCalls(CreateReplicationTaskCommand)[0].args[0].input;
  expect(task.ReplicationTaskIdentifier).toBe('pgsr-r1dms-0');
  expect(JSON.parse(task.TableMappings!).rules[1].value).toBe('pgsr_r1dms_0');
  expect(dms.deleteCalls.sort()).toEqual([...dms.resources.keys()].sort());
});
