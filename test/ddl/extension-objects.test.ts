import { extensionObjects } from '../../src/ddl/extension-objects';
import { createDatabase, execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

describe('extensionObjects: what belongs to an extension, from the catalog', () => {
  test('types (and their arrays), functions, operators, operator classes of extensions in the schemas; names a user object shares are left out', async () => {
    const db = await createDatabase(cluster(), 'members');
    await execSql(db, `CREATE SCHEMA foo; CREATE EXTENSION hstore SCHEMA foo; CREATE EXTENSION pg_trgm SCHEMA public;
      CREATE SCHEMA other; CREATE EXTENSION citext SCHEMA other;
      CREATE FUNCTION public.similarity(a integer, b integer) RETURNS real LANGUAGE sql AS $$ SELECT 1::real $$;
      CREATE TABLE foo.plain (id int)`);
    const { extensions, keep } = await withClient(db, (c) => extensionObjects(c, ['foo', 'public']));
    expect(extensions).toEqual([{ extension: 'hstore', schema: 'foo' }, { extension: 'pg_trgm', schema: 'public' }]);
    for (const name of ['foo.hstore', 'foo._hstore', 'foo.->', 'foo.gist_hstore_ops', 'foo.akeys', 'public.word_similarity', 'public.gin_trgm_ops', 'public.%']) {
      expect(keep).toContain(name);
    }
    // public.similarity is also the user's own overload: it is renamed with its schema, never kept.
    for (const name of ['public.similarity', 'foo.plain', 'other.citext']) expect(keep).not.toContain(name);
    expect([...keep].every((k) => k.startsWith('foo.') || k.startsWith('public.'))).toBe(true);
  });

  test('a schema without extension objects gives nothing to keep', async () => {
    const db = await createDatabase(cluster(), 'no_members');
    await execSql(db, 'CREATE SCHEMA s; CREATE TABLE s.t (id int); CREATE EXTENSION hstore SCHEMA public');
    expect(await withClient(db, (c) => extensionObjects(c, ['s']))).toEqual({ extensions: [], keep: new Set() });
  });
});
