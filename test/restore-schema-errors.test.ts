import { AbortedError, ConnectionError, InvalidInputError, MissingRolesError, restoreSchema, SchemaExistsError, SchemaNotFoundError, SchemaRestoreError } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, useLocalCluster, withClient } from './support/postgres';

const cluster = useLocalCluster({ password: 'pw-Secret-42' });
const other = useLocalCluster();

let n = 0;
async function pair(setup: string): Promise<{ src: string; dst: string; dstName: string }> {
  n += 1;
  const src = await createDatabase(cluster(), `src_${n}`);
  const dst = await createDatabase(cluster(), `dst_${n}`);
  await execSql(src, setup);
  return { src, dst, dstName: `dst_${n}` };
}

const TENANT = `CREATE SCHEMA t1; CREATE TABLE t1.items (id int PRIMARY KEY, v text);
  INSERT INTO t1.items SELECT g, 'v' || g FROM generate_series(1, 2000) g;`;

/** Every failure must leave the target exactly as it was. */
async function expectUntouched(dbName: string, before: string): Promise<void> {
  expect(comparableDump(cluster(), dbName, [])).toBe(before);
}

describe('restoreSchema refuses bad input with one clear line and writes nothing', () => {
  test('schema missing at the source', async () => {
    const { src, dst, dstName } = await pair(TENANT);
    const before = comparableDump(cluster(), dstName, []);
    const err = await restoreSchema({ source: src, target: dst, schemas: ['t1', 'nope'] }).catch((e) => e);
    expect(err).toBeInstanceOf(SchemaNotFoundError);
    expect(err.message).toBe('schema "nope" does not exist in the source; check the name (it is case-sensitive) or the source');
    await expectUntouched(dstName, before);
  });

  test('restored name already taken in the target', async () => {
    const { src, dst, dstName } = await pair(TENANT);
    await execSql(dst, 'CREATE SCHEMA t1_old');
    const before = comparableDump(cluster(), dstName, []);
    const err = await restoreSchema({ source: src, target: dst, schemas: ['t1'], suffix: '_old' }).catch((e) => e);
    expect(err).toBeInstanceOf(SchemaExistsError);
    expect(err.message).toMatch(/^schema "t1_old" already exists in the target; choose another --suffix/);
    await expectUntouched(dstName, before);
  });

  test('restored name over 63 bytes', async () => {
    const { src, dst } = await pair(TENANT);
    const err = await restoreSchema({ source: src, target: dst, schemas: ['t1'], suffix: `_${'é'.repeat(40)}` }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/is 83 bytes, over PostgreSQL's 63-byte limit; choose a shorter --suffix/);
  });

  test('unreachable source or target: the message names it and never shows the password', async () => {
    const { src, dst } = await pair(TENANT);
    const badTarget = dst.replace(/:\d+\//, ':1/');
    const e1 = await restoreSchema({ source: src, target: badTarget, schemas: ['t1'] }).catch((e) => e);
    expect(e1).toBeInstanceOf(ConnectionError);
    expect(e1.message).toMatch(/^cannot connect to the target database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\//);
    const wrongPassword = src.replace('pw-Secret-42', 'Wrong-Secret-99');
    const e2 = await restoreSchema({ source: wrongPassword, target: dst, schemas: ['t1'] }).catch((e) => e);
    expect(e2).toBeInstanceOf(ConnectionError);
    expect(e2.message).toMatch(/^cannot connect to the source database .*password authentication failed/);
    for (const e of [e1, e2]) expect(`${e.message} ${e.stack} ${e.cause?.stack}`).not.toMatch(/pw-Secret-42|Wrong-Secret-99/);
  });

  test('a role named in OWNER/GRANT missing in the target is named, with the options that skip it', async () => {
    const src = await createDatabase(other(), 'roles');
    await execSql(other().url(), 'CREATE ROLE only_at_source NOLOGIN');
    await execSql(src, `${TENANT} ALTER TABLE t1.items OWNER TO only_at_source; GRANT SELECT ON t1.items TO only_at_source;`);
    const dst = await createDatabase(cluster(), 'roles_dst');
    const before = comparableDump(cluster(), 'roles_dst', []);
    const err = await restoreSchema({ source: src, target: dst, schemas: ['t1'] }).catch((e) => e);
    expect(err).toBeInstanceOf(MissingRolesError);
    expect(err.message).toBe('role "only_at_source" named in the schema\'s OWNER/GRANT/POLICY statements do not exist in the target; ' +
      'create it there, or restore with --no-owner / --no-privileges (skipOwnership / skipPrivileges)');
    await expectUntouched('roles_dst', before);
    const ok = await restoreSchema({ source: src, target: dst, schemas: ['t1'], suffix: '_r', skipOwnership: true, skipPrivileges: true });
    expect(ok.schemas[0].tables).toEqual([expect.objectContaining({ name: 'items', rows: 2000, checksumMatch: true })]);
  });

  test('a failure after the data was copied drops everything; no schema remains under any name', async () => {
    // The tenant references a public table that the target lacks: the foreign key (post-data) fails after the copy.
    const src = await createDatabase(other(), 'late_failure');
    await execSql(src, `CREATE TABLE public.countries (code text PRIMARY KEY); INSERT INTO public.countries VALUES ('FR');
      ${TENANT} CREATE TABLE t1.addresses (id int, country text REFERENCES public.countries(code)); INSERT INTO t1.addresses VALUES (1, 'FR');`);
    const dst = await createDatabase(cluster(), 'late_failure_dst');
    const before = comparableDump(cluster(), 'late_failure_dst', []);
    const events: string[] = [];
    const err = await restoreSchema({
      source: src,
      target: dst,
      schemas: ['t1'],
      suffix: '_x',
      onProgress: (e) => { if (e.type === 'phase') events.push(`${e.phase}:${e.status}`); },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(SchemaRestoreError);
    expect(err.message).toMatch(/^the target rejected "ALTER TABLE ONLY pgsr_\w+\.addresses ADD CONSTRAINT .*": relation "public.countries" does not exist$/);
    expect(events).toEqual(expect.arrayContaining(['copy:done', 'post-data:start', 'cleanup:done']));
    await expectUntouched('late_failure_dst', before);
  });

  test('abort during the copy removes everything and says so', async () => {
    const { src, dst, dstName } = await pair(`${TENANT} CREATE TABLE t1.big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 300000) g;`);
    const before = comparableDump(cluster(), dstName, []);
    const controller = new AbortController();
    const err = await restoreSchema({
      source: src,
      target: dst,
      schemas: ['t1'],
      signal: controller.signal,
      onProgress: (e) => { if (e.type === 'table' && e.status === 'start') controller.abort(); },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.message).toBe('restore aborted; everything it created has been removed');
    await expectUntouched(dstName, before);
    const backends = await withClient(cluster().url(), async (c) => (await c.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'pg-schema-restore%'")).rows[0].n);
    expect(backends).toBe(0);
  });
});
