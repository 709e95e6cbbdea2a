import { Readable } from 'node:stream';
import { scanDumpText } from '../../../src/sources/dump/scan-dump-text';

test('scanDumpText keeps the large objects\' definitions but not their content (lowrite slices) in the DDL', async () => {
  const content = `'\\\\x${'ab'.repeat(1000)}'`;
  const script = [
    "SELECT pg_catalog.lo_create('16385');", 'ALTER LARGE OBJECT 16385 OWNER TO lo_owner;', 'BEGIN;', "SELECT pg_catalog.lo_open('16385', 131072);",
    `SELECT pg_catalog.lowrite(0, ${content});`, 'SELECT pg_catalog.lo_close(0);', 'COMMIT;', 'GRANT SELECT ON LARGE OBJECT 16385 TO lo_reader;', '',
  ].join('\n');
  const { ddl } = await scanDumpText(Readable.from([Buffer.from(script)]), { keepDdl: true });
  expect(ddl).toContain('ALTER LARGE OBJECT 16385 OWNER TO lo_owner;');
  expect(ddl).toContain('GRANT SELECT ON LARGE OBJECT 16385 TO lo_reader;');
  expect(ddl).toContain("SELECT pg_catalog.lo_open('16385', 131072);");
  expect(ddl).not.toContain('lowrite');
  expect(ddl).not.toContain('abab');
});
