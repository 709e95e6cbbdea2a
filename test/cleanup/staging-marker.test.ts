import { hostname } from 'node:os';
import { markStagingDdl, parseStagingMarker, publishedSchemaComments, STAGING_MARKER_PREFIX, stagingMarker } from '../../src/cleanup/staging-marker';
import { splitDdl } from '../../src/ddl/split-ddl';

const DDL = `CREATE SCHEMA customer_a1;
COMMENT ON SCHEMA customer_a1 IS 'Sample tenant';
CREATE TABLE customer_a1.users (id int PRIMARY KEY);
COMMENT ON TABLE customer_a1.users IS 'Accounts';
CREATE SCHEMA "acme-corp";
CREATE TABLE "acme-corp".t (id int);
`;

describe('staging marker', () => {
  test('the marker round-trips and names this process; other comments are not markers', () => {
    const m = stagingMarker('4f1c2a9e0b7d3c11', new Date('2024-01-28T14:30:00Z'));
    expect(m).toEqual({ restoreId: '4f1c2a9e0b7d3c11', started: '2024-01-28T14:30:00.000Z', host: hostname(), pid: process.pid });
    expect(parseStagingMarker(`${STAGING_MARKER_PREFIX}${JSON.stringify(m)}`)).toEqual(m);
    expect(parseStagingMarker('Sample tenant')).toBeUndefined();
    expect(parseStagingMarker(`${STAGING_MARKER_PREFIX}{not json`)).toBeUndefined();
    expect(parseStagingMarker(`${STAGING_MARKER_PREFIX}{"restoreId":"x"}`)).toBeUndefined();
    expect(parseStagingMarker(null)).toBeUndefined();
  });

  test('the marker follows each CREATE SCHEMA; the source\'s schema comments wait for publish, other comments stay', async () => {
    const staged = await splitDdl(DDL, { rename: { 'customer_a1': 'pgsr_ab_0', 'acme-corp': 'pgsr_ab_1' } });
    const marker = stagingMarker('ab');
    const sql = markStagingDdl(staged.preData, { staging: ['pgsr_ab_0', 'pgsr_ab_1'], marker }).map((s) => s.sql);
    const text = `${STAGING_MARKER_PREFIX}${JSON.stringify(marker)}`.replace(/'/g, "''");
    expect(sql).toEqual([
      'CREATE SCHEMA pgsr_ab_0',
      `COMMENT ON SCHEMA "pgsr_ab_0" IS '${text}'`,
      'CREATE TABLE pgsr_ab_0.users (id int PRIMARY KEY)',
      "COMMENT ON TABLE pgsr_ab_0.users IS 'Accounts'",
      'CREATE SCHEMA "pgsr_ab_1"',
      `COMMENT ON SCHEMA "pgsr_ab_1" IS '${text}'`,
      'CREATE TABLE "pgsr_ab_1".t (id int)',
    ]);
  });

  test('at publish the source\'s comment comes back; a schema that had none loses the marker', async () => {
    const final = await splitDdl(DDL, { rename: { 'customer_a1': 'customer_a1_r', 'acme-corp': 'acme-corp (r)' } });
    expect(publishedSchemaComments(final.preData, ['customer_a1_r', 'acme-corp (r)'])).toEqual([
      "COMMENT ON SCHEMA customer_a1_r IS 'Sample tenant'",
      'COMMENT ON SCHEMA "acme-corp (r)" IS NULL',
    ]);
  });
});
