import { quoteIdent, quoteLiteral } from '../quote';
import { SAMPLE_COUNTRIES, SAMPLE_READER_ROLE } from './sample-layout';

/**
 * SQL creating the sample's roles: the cluster-wide reader and a tenant database's owner. Roles are
 * cluster-wide and several databases (or test files) create them, so existing ones are kept.
 *
 * @example
 * await client.query(sampleRolesSql('tenant_a_owner'));
 */
export function sampleRolesSql(ownerRole: string): string {
  return [SAMPLE_READER_ROLE, ownerRole].map((role) => `
DO $sample_role$
BEGIN
  CREATE ROLE ${quoteIdent(role)} NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created earlier or concurrently by another sample database
END
$sample_role$;`).join('\n');
}

/**
 * SQL creating what the tenant schemas of a database share in `public`: the citext extension and the
 * `public.countries` reference table that tenant tables point at with a foreign key.
 *
 * @example
 * await client.query(samplePublicSql());
 */
export function samplePublicSql(): string {
  const countries = SAMPLE_COUNTRIES.map(([code, name]) => `(${quoteLiteral(code)}, ${quoteLiteral(name)})`).join(',\n  ');
  const table = `${quoteIdent('public')}.${quoteIdent('countries')}`;
  return `
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA ${quoteIdent('public')};
CREATE TABLE IF NOT EXISTS ${table} (
  code char(2) PRIMARY KEY,
  name text NOT NULL UNIQUE
);
COMMENT ON TABLE ${table} IS 'ISO 3166 countries shared by every tenant schema';
INSERT INTO ${table} (code, name) VALUES
  ${countries}
ON CONFLICT (code) DO NOTHING;
GRANT SELECT ON ${table} TO ${quoteIdent(SAMPLE_READER_ROLE)};`;
}
