import { schemaDependencies } from '../../src/backups/schema-dependencies';
import { createDatabase, execSql, useLocalCluster, withClient } from '../support/postgres';

const cluster = useLocalCluster();

test('each schema\'s dependencies on other schemas (types, keys, views, defaults, triggers, policies) and the extensions it uses', async () => {
  const url = await createDatabase(cluster(), 'deps');
  await execSql(url, `
    CREATE SCHEMA shared; CREATE SCHEMA ext; CREATE SCHEMA "Tenant One"; CREATE SCHEMA tenant_two; CREATE SCHEMA lonely;
    CREATE EXTENSION citext WITH SCHEMA ext;
    CREATE TYPE shared.mood AS ENUM ('ok', 'sad');
    CREATE TABLE shared.countries (code text PRIMARY KEY);
    CREATE FUNCTION shared.next_id() RETURNS int LANGUAGE sql AS 'SELECT 1';
    CREATE FUNCTION shared.audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TABLE "Tenant One".users (id int DEFAULT shared.next_id() PRIMARY KEY, mood shared.mood, country text REFERENCES shared.countries, email ext.citext);
    CREATE TRIGGER audit BEFORE INSERT ON "Tenant One".users FOR EACH ROW EXECUTE FUNCTION shared.audit();
    CREATE TABLE tenant_two.notes (id int PRIMARY KEY);
    CREATE VIEW tenant_two.user_notes AS SELECT u.id FROM "Tenant One".users u JOIN tenant_two.notes n ON n.id = u.id;
    CREATE TABLE lonely.t (id int PRIMARY KEY, body text);
    CREATE SCHEMA guarded; CREATE TABLE guarded.t (id int PRIMARY KEY); CREATE POLICY only_one ON guarded.t USING (id = shared.next_id())`);
  const deps = await withClient(url, (c) => schemaDependencies(c));
  expect(deps.get('Tenant One')).toEqual({ dependsOn: ['shared'], extensions: [{ name: 'citext', schema: 'ext' }] });
  expect(deps.get('tenant_two')).toEqual({ dependsOn: ['Tenant One'], extensions: [] });
  expect(deps.get('guarded')).toEqual({ dependsOn: ['shared'], extensions: [] });
  expect(deps.get('lonely')).toBeUndefined();
  expect(deps.get('shared')).toBeUndefined();
});
