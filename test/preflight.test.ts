import { InvalidInputError, restoreSchema, RestoreSchemaOptions } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, useLocalCluster } from './support/postgres';

const cluster = useLocalCluster();

const TENANT = `CREATE SCHEMA t1; CREATE TABLE t1.items (id int PRIMARY KEY, v text);
  INSERT INTO t1.items SELECT g, 'v' || g FROM generate_series(1, 2000) g;`;
const RESTORER_PASSWORD = 'Restorer-Pw-1';

let n = 0;
/** A source owned by postgres, and a target database; `restorer` is an ordinary login role (no superuser, no membership). */
async function pair(setup = TENANT): Promise<{ src: string; dst: string; dstName: string; asRestorer: string }> {
  n += 1;
  const src = await createDatabase(cluster(), `pf_src_${n}`);
  const dstName = `pf_dst_${n}`;
  const dst = await createDatabase(cluster(), dstName);
  await execSql(src, setup);
  const asRestorer = new URL(dst);
  asRestorer.username = 'restorer';
  asRestorer.password = RESTORER_PASSWORD;
  return { src, dst, dstName, asRestorer: asRestorer.toString() };
}

beforeAll(async () => {
  await execSql(cluster().url('postgres'), `CREATE ROLE restorer LOGIN PASSWORD '${RESTORER_PASSWORD}'; CREATE ROLE reader NOLOGIN`);
});

/** Run a restore that must fail in preflight: nothing created, no step after the DDL split started. */
async function failsInPreflight(dstName: string, options: RestoreSchemaOptions): Promise<InvalidInputError> {
  const before = comparableDump(cluster(), dstName, []);
  const phases: string[] = [];
  const err = await restoreSchema({ ...options, onProgress: (e) => { if (e.type === 'phase') phases.push(`${e.phase}:${e.status}`); } }).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidInputError);
  expect(phases).toContain('extract-ddl:done');
  expect(phases.filter((p) => /^(pre-data|copy|post-data|publish|cleanup):/.test(p))).toEqual([]);
  expect(comparableDump(cluster(), dstName, [])).toBe(before);
  return err;
}

describe('preflight: what the target role cannot do is found before anything is written', () => {
  test('not a member of the owner: fails fast naming --no-owner; succeeds with skipOwnership', async () => {
    const db = await pair();
    await execSql(cluster().url('postgres'), `GRANT CREATE ON DATABASE ${db.dstName} TO restorer`);
    const err = await failsInPreflight(db.dstName, { source: db.src, target: db.asRestorer, schemas: ['t1'], suffix: '_r' });
    expect(err.code).toBe('CANNOT_SET_OWNER');
    expect(err.message).toBe('role "restorer" cannot make "postgres" the owner of restored objects (it is neither a member nor a superuser); ' +
      'restore with --no-owner (skipOwnership) to leave "restorer" the owner, or GRANT "postgres" TO "restorer"; nothing was written');
    const ok = await restoreSchema({ source: db.src, target: db.asRestorer, schemas: ['t1'], suffix: '_r', skipOwnership: true });
    expect(ok.schemas[0].tables).toEqual([expect.objectContaining({ name: 'items', rows: 2000, checksumMatch: true })]);
  });

  test('grants made as a role it is not a member of: names --no-privileges', async () => {
    const db = await pair(`${TENANT} ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA t1 GRANT SELECT ON TABLES TO reader;`);
    await execSql(cluster().url('postgres'), `GRANT CREATE ON DATABASE ${db.dstName} TO restorer`);
    const err = await failsInPreflight(db.dstName, { source: db.src, target: db.asRestorer, schemas: ['t1'], skipOwnership: true });
    expect(err.code).toBe('CANNOT_GRANT');
    expect(err.message).toMatch(/^role "restorer" cannot make the schema's grants as "postgres" \(GRANTED BY \/ ALTER DEFAULT PRIVILEGES FOR ROLE need membership, or a superuser\); restore with --no-privileges \(skipPrivileges\)/);
  });

  test('no CREATE on the target database: names the GRANT', async () => {
    const db = await pair();
    const err = await failsInPreflight(db.dstName, { source: db.src, target: db.asRestorer, schemas: ['t1'], skipOwnership: true });
    expect(err.code).toBe('CANNOT_CREATE_SCHEMA');
    expect(err.message).toBe(`role "restorer" may not create schemas in the target database "${db.dstName}"; ` +
      `GRANT CREATE ON DATABASE "${db.dstName}" TO "restorer", or restore as a role that may; nothing was written`);
  });

  test('a read-only target (default_transaction_read_only = on), even for a superuser', async () => {
    const db = await pair();
    await execSql(cluster().url('postgres'), `ALTER DATABASE ${db.dstName} SET default_transaction_read_only = on`);
    const err = await failsInPreflight(db.dstName, { source: db.src, target: db.dst, schemas: ['t1'] });
    expect(err.code).toBe('TARGET_READ_ONLY');
    expect(err.message).toBe(`the target database "${db.dstName}" is read-only for "postgres" (default_transaction_read_only = on); ` +
      'restore into a writable database, or turn it off for the restoring role (ALTER ROLE "postgres" SET default_transaction_read_only = off); nothing was written');
  });
});
