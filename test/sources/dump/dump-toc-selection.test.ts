import { parseArchiveToc } from '../../../src/sources/dump/dump-archive-toc';
import { isEntrySelected, tocListFor } from '../../../src/sources/dump/dump-toc-selection';

const TOC = `;
; Archive created at 2024-01-28 14:30:05 UTC
;     dbname: app
;
6; 2615 16387 SCHEMA - Acme-Corp tenant_owner
3346; 0 0 COMMENT - SCHEMA "Acme-Corp" tenant_owner
3347; 0 0 ACL - SCHEMA "Acme-Corp" tenant_owner
7; 2615 16390 SCHEMA - tenant_b tenant_owner
3348; 0 0 COMMENT - SCHEMA tenant_b tenant_owner
8; 2615 16391 SCHEMA - Say "Hi" postgres
3349; 0 0 ACL - SCHEMA "Say ""Hi""" postgres
215; 1259 16388 TABLE Acme-Corp t postgres
3334; 2613 16385 BLOB - 16385 lo_owner
3344; 0 0 COMMENT - LARGE OBJECT 16385 postgres
3345; 0 0 ACL - LARGE OBJECT 16385 postgres
3336; 0 0 BLOBS - BLOBS 
`;

describe('tocListFor / isEntrySelected', () => {
  const toc = parseArchiveToc(TOC);
  const kept = (selection: Parameters<typeof tocListFor>[1]) => tocListFor(toc, selection).trimEnd().split('\n')
    .filter((l) => !l.startsWith(';')).map((l) => Number(l.split(';')[0]));

  test('a schema\'s comment and grants are kept also when pg_dump quotes its name in their tags', () => {
    expect(kept({ schemas: new Set(['Acme-Corp']) })).toEqual([6, 3346, 3347, 215]);
    expect(kept({ schemas: new Set(['tenant_b']) })).toEqual([7, 3348]);
    expect(kept({ schemas: new Set(['Say "Hi"']) })).toEqual([8, 3349]);
    expect(kept({ schemas: new Set(), emptySchemas: new Set(['Acme-Corp']) })).toEqual([6, 3346, 3347]);
  });

  test('large objects, their comments and grants only when asked for', () => {
    expect(kept({ schemas: new Set(['tenant_b']), largeObjects: true })).toEqual([7, 3348, 3334, 3344, 3345, 3336]);
    const blob = toc.entries.find((e) => e.dumpId === 3334)!;
    expect(blob).toMatchObject({ desc: 'BLOB', namespace: undefined, tag: '16385', owner: 'lo_owner' });
    expect(isEntrySelected(blob, { schemas: new Set(['tenant_b']) })).toBe(false);
    expect(isEntrySelected({ ...blob, desc: 'BLOB METADATA', tag: '16385..16400' }, { schemas: new Set(), largeObjects: true })).toBe(true);
  });
});
