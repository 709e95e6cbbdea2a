import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreSchema, RestoreSchemaOptions } from '../../../src';
import { freshBaseDir, leftovers } from '../../support/dump-archives';
import { execSql, useLocalCluster, withClient } from '../../support/postgres';

const source = useLocalCluster(); // the past
const target = useLocalCluster(); // live

/** A schema's comment, access list and owner. */
async function schemaAttributes(url: string, schema: string): Promise<{ comment: string | null; acl: string | null; owner: string }> {
  return withClient(url, async (c) => (await c.query(
    'SELECT obj_description(oid, \'pg_namespace\') AS comment, nspacl::text AS acl, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', [schema])).rows[0]);
}

/** Plain names and names pg_dump quotes in COMMENT/ACL tags (`SCHEMA "Acme-Corp"`). */
const SCHEMAS = ['tenant_b', 'Acme-Corp'];

describe('the schema\'s own comment, grants and owner come back from every source kind', () => {
  let dir: string;
  const dumps: Record<string, string> = {};

  beforeAll(async () => {
    for (const cluster of [source(), target()]) {
      await execSql(cluster.url('postgres'), 'CREATE DATABASE app');
      await execSql(cluster.url('postgres'), 'CREATE ROLE tenant_owner; CREATE ROLE tenant_reader');
    }
    for (const s of SCHEMAS) {
      await execSql(source().url('app'), `CREATE SCHEMA "${s}"; CREATE TABLE "${s}".t (id int PRIMARY KEY); INSERT INTO "${s}".t VALUES (1);
        COMMENT ON SCHEMA "${s}" IS 'tenant ${s}'; GRANT USAGE ON SCHEMA "${s}" TO tenant_reader; ALTER SCHEMA "${s}" OWNER TO tenant_owner`);
    }
    dir = mkdtempSync(join(tmpdir(), 'pgsr-schema-attributes-'));
    for (const [kind, flag] of [['custom', '-Fc'], ['plain', '-Fp']]) {
      dumps[kind] = join(dir, `app.${kind}`);
      execFileSync(source().binaries.path('pg_dump'), [flag, '-f', dumps[kind], '-d', source().url('app')], { env: { ...process.env, TZ: 'UTC' } });
    }
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test.each(['database', 'custom', 'plain'])('from a %s source: COMMENT ON SCHEMA, GRANT USAGE ON SCHEMA and ALTER SCHEMA … OWNER TO survive', async (kind) => {
    const tempDir = freshBaseDir();
    try {
      const from: RestoreSchemaOptions['source'] = kind === 'database' ? source().url('app') : { kind: 'dump', path: dumps[kind] };
      const report = await restoreSchema({ source: from, target: target().url('app'), schemas: SCHEMAS, suffix: `_${kind}`, tempDir });
      expect(report.schemas.map((s) => s.restored)).toEqual(SCHEMAS.map((s) => `${s}_${kind}`));
      for (const s of SCHEMAS) {
        const restored = await schemaAttributes(target().url('app'), `${s}_${kind}`);
        expect(restored).toEqual(await schemaAttributes(source().url('app'), s));
        expect(restored).toEqual({ comment: `tenant ${s}`, acl: '{tenant_owner=UC/tenant_owner,tenant_reader=U/tenant_owner}', owner: 'tenant_owner' });
      }
    } finally {
      expect(leftovers(tempDir)).toEqual([]);
    }
  }, 120_000);
});
