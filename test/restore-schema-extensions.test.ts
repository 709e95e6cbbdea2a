import { InvalidInputError, planRestore, restoreSchema, RestoreReport } from '../src';
import { comparableDump } from './support/dump';
import { createDatabase, execSql, tableDigest, useLocalCluster, withClient } from './support/postgres';
import { exitCodeFor } from '../src/cli/cli-errors';

// One server: the past and the live database are two databases of it (extensions are per database).
const cluster = useLocalCluster();

async function digests(url: string, schema: string, tables: string[]): Promise<Record<string, unknown>> {
  return withClient(url, async (c) => {
    const found: Record<string, Awaited<ReturnType<typeof tableDigest>>> = {};
    for (const t of tables) found[t] = await tableDigest(c, schema, t); // one session: one query at a time
    return found;
  });
}

async function schemasLike(url: string, pattern: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1', [pattern])).rows.map((r) => r.nspname));
}

// public holding four extensions, used by column types, defaults, indexes, a view and functions.
const PUBLIC_WITH_EXTENSIONS = `
  CREATE EXTENSION citext; CREATE EXTENSION hstore; CREATE EXTENSION "uuid-ossp"; CREATE EXTENSION pg_trgm;
  CREATE TABLE public.people (
    id uuid DEFAULT public.uuid_generate_v4() PRIMARY KEY,
    email public.citext NOT NULL UNIQUE,
    name text NOT NULL,
    attrs public.hstore,
    history public.hstore[]
  );
  CREATE INDEX people_name_trgm ON public.people USING gin (name public.gin_trgm_ops);
  CREATE INDEX people_attrs ON public.people USING gist (attrs public.gist_hstore_ops);
  CREATE FUNCTION public.new_id() RETURNS uuid LANGUAGE sql AS $$ SELECT public.uuid_generate_v4() $$;
  CREATE FUNCTION public.pinned_id() RETURNS uuid LANGUAGE sql SET search_path = public AS $$ SELECT uuid_generate_v4() $$;
  CREATE FUNCTION public.color(p public.people) RETURNS text LANGUAGE sql STABLE AS $$ SELECT p.attrs OPERATOR(public.->) 'color' $$;
  CREATE TABLE public.events (id uuid DEFAULT public.new_id() PRIMARY KEY, person uuid REFERENCES public.people(id), note public.citext);
  CREATE VIEW public.colors AS SELECT id, attrs -> 'color' AS color, public.similarity(name, 'ann') AS like_ann FROM public.people;`;

describe('restoreSchema: extensions stay where they are', () => {
  test('public holding citext, hstore, uuid-ossp and pg_trgm restores exactly, using the live extensions', async () => {
    const src = await createDatabase(cluster(), 'ext_src');
    const dst = await createDatabase(cluster(), 'ext_live');
    await execSql(src, `${PUBLIC_WITH_EXTENSIONS}
      INSERT INTO public.people (email, name, attrs, history)
        SELECT 'User' || g || '@Example.com', 'ann ' || g, ('color=>c' || g % 3)::public.hstore, ARRAY[('v=>' || g)::public.hstore] FROM generate_series(1, 200) g;
      INSERT INTO public.events (person, note) SELECT id, 'Note' FROM public.people;`);
    await execSql(dst, `${PUBLIC_WITH_EXTENSIONS} INSERT INTO public.people (email, name) VALUES ('live@example.com', 'live');`);
    const liveBefore = comparableDump(cluster(), 'ext_live', []);
    const report = await restoreSchema({ source: src, target: dst, schemas: ['public'], suffix: '_r' });

    const original = comparableDump(cluster(), 'ext_src', ['--schema-only', '-n', 'public']);
    const restored = comparableDump(cluster(), 'ext_live', ['--schema-only', '-n', 'public_r']);
    expect(original).toContain('public.gin_trgm_ops');
    expect(restored).toContain('email public.citext NOT NULL');
    expect(restored).toContain('DEFAULT public.uuid_generate_v4()');
    expect(restored.split('public_r').join('public')).toBe(original);
    expect(await digests(dst, 'public_r', ['events', 'people'])).toEqual(await digests(src, 'public', ['events', 'people']));
    expect(comparableDump(cluster(), 'ext_live', ['--exclude-schema=public_r'])).toBe(liveBefore);
    expect(report.warnings).toEqual([
      ...['citext', 'hstore', 'pg_trgm', 'uuid-ossp'].map((e) => `extension ${e} stays in schema public; the restored public_r uses it there`),
      'function public_r.pinned_id() uses uuid_generate_v4 without a schema; it belongs to an extension that stays in schema public, ' +
        'which its restored search_path (public_r) no longer names: set search_path = public_r, public on it',
    ]);
    await withClient(dst, async (c) => {
      // The restored routines and defaults work and call the live extension.
      expect((await c.query("SELECT public_r.color(p) AS c FROM public_r.people p WHERE email = 'user1@example.com'")).rows[0].c).toBe('c1');
      await c.query("INSERT INTO public_r.events (note) VALUES ('new')");
      expect((await c.query('SELECT count(*)::int AS n FROM public_r.colors WHERE like_ann > 0')).rows[0].n).toBe(200);
      const { rows } = await c.query(`SELECT DISTINCT t.typnamespace::regnamespace::text AS schema FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = 'public_r.people'::regclass AND t.typname IN ('citext', 'hstore')`);
      expect(rows).toEqual([{ schema: 'public' }]);
    });
  });

  test('hstore in schema foo: foo_x.t keeps foo.hstore, with one warning; a routine naming t unqualified is reported', async () => {
    const setup = `CREATE SCHEMA foo; CREATE EXTENSION hstore SCHEMA foo;
      CREATE TABLE foo.t (id int PRIMARY KEY, h foo.hstore);
      SET search_path = foo; CREATE FUNCTION foo.count_t() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM t $$; RESET search_path;`;
    const src = await createDatabase(cluster(), 'foo_src');
    const dst = await createDatabase(cluster(), 'foo_live');
    await execSql(src, `${setup} INSERT INTO foo.t SELECT g, ('k=>' || g)::foo.hstore FROM generate_series(1, 100) g;`);
    await execSql(dst, setup);
    const plan = await planRestore({ source: src, target: dst, schemas: ['foo'], suffix: '_x' });
    expect(plan.warnings).toEqual(['extension hstore stays in schema foo; the restored foo_x uses it there']);
    const report: RestoreReport = await restoreSchema({ source: src, target: dst, schemas: ['foo'], suffix: '_x' });
    expect(report.warnings).toEqual([
      'extension hstore stays in schema foo; the restored foo_x uses it there',
      'function foo_x.count_t() uses unqualified table names (t) and sets no search_path: it reads whatever the caller\'s search_path finds; ' +
        'add SET search_path = foo_x to it',
    ]);
    await withClient(dst, async (c) => {
      expect((await c.query("SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'foo_x.t'::regclass AND attname = 'h'")).rows)
        .toEqual([{ type: 'foo.hstore' }]);
      expect((await c.query("SELECT count(*)::int AS n FROM pg_type WHERE typnamespace = 'foo_x'::regnamespace AND typname = 'hstore'")).rows[0].n).toBe(0);
    });
    expect(await digests(dst, 'foo_x', ['t'])).toEqual(await digests(src, 'foo', ['t']));
  });

  test('a target without the extension, or with it in another schema: one line naming the fix, nothing written', async () => {
    const src = await createDatabase(cluster(), 'miss_src');
    await execSql(src, 'CREATE SCHEMA foo; CREATE EXTENSION hstore SCHEMA foo; CREATE TABLE foo.t (h foo.hstore); INSERT INTO foo.t VALUES (\'a=>1\')');
    const bare = await createDatabase(cluster(), 'miss_live');
    await execSql(bare, 'CREATE SCHEMA foo; CREATE TABLE foo.t (h text)');
    const before = comparableDump(cluster(), 'miss_live', []);
    // --dry-run refuses the same way
    await expect(planRestore({ source: src, target: bare, schemas: ['foo'], suffix: '_x' })).rejects.toMatchObject({
      code: 'EXTENSION_MISSING', message: expect.stringContaining('run CREATE EXTENSION hstore SCHEMA foo in the target first'),
    });
    const err = await restoreSchema({ source: src, target: bare, schemas: ['foo'], suffix: '_x' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('EXTENSION_MISSING');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.message).toBe('extension hstore (schema foo) is not installed in the target; the restored schema uses the target\'s extension objects ' +
      'rather than copies, so run CREATE EXTENSION hstore SCHEMA foo in the target first (nothing was written)');
    expect(comparableDump(cluster(), 'miss_live', [])).toBe(before);
    expect(await schemasLike(bare, 'foo_%')).toEqual([]);
    expect(await schemasLike(bare, 'pgsr_%')).toEqual([]);

    await execSql(bare, 'CREATE SCHEMA bar; CREATE EXTENSION hstore SCHEMA bar');
    const elsewhere = await restoreSchema({ source: src, target: bare, schemas: ['foo'], suffix: '_x' }).catch((e) => e);
    expect(elsewhere.code).toBe('EXTENSION_MISSING');
    expect(elsewhere.message).toMatch(/^extension hstore is in schema bar in the target, not in foo; .* run ALTER EXTENSION hstore SET SCHEMA foo in the target first/);
    expect(await schemasLike(bare, 'foo_%')).toEqual([]);

    // The tenant's schema itself is gone from the live database: the fix creates it first.
    const dropped = await createDatabase(cluster(), 'miss_dropped');
    const gone = await restoreSchema({ source: src, target: dropped, schemas: ['foo'], suffix: '_x' }).catch((e) => e);
    expect(gone.message).toMatch(/ so run CREATE SCHEMA foo; CREATE EXTENSION hstore SCHEMA foo in the target first \(nothing was written\)$/);
    expect(await schemasLike(dropped, 'foo%')).toEqual([]);
  });
});
