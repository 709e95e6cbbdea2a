import { dmsLiteral, dmsTableMappings } from '../../../src/aws';

test('selects every table of the schema and renames the schema to the staging schema, in the documented JSON shape', () => {
  expect(JSON.parse(JSON.stringify(dmsTableMappings({ source: 'acme-corp', target: 'pgsr_3f2a_0' })))).toEqual({
    rules: [
      {
        'rule-type': 'selection',
        'rule-id': '1',
        'rule-name': 'include-schema',
        'object-locator': { 'schema-name': 'acme-corp', 'table-name': '%' },
        'rule-action': 'include',
      },
      {
        'rule-type': 'transformation',
        'rule-id': '2',
        'rule-name': 'rename-schema',
        'rule-target': 'schema',
        'object-locator': { 'schema-name': 'acme-corp' },
        'rule-action': 'rename',
        'value': 'pgsr_3f2a_0',
      },
    ],
  });
});

test('wildcard characters in names match literally; the rename value stays as it is', () => {
  expect(dmsLiteral('customer_a1')).toBe('customer[_]a1');
  expect(dmsLiteral('100%[x]')).toBe('100[%][[]x]');
  const { rules } = dmsTableMappings({ source: 'customer_a1', target: 'customer_a1_staging' });
  expect(rules[0]['object-locator']['schema-name']).toBe('customer[_]a1');
  expect(rules[1].value).toBe('customer_a1_staging');
});

test('partitioned parents are excluded and generated columns removed, with unique rule ids', () => {
  const { rules } = dmsTableMappings({
    source: 's', target: 't', excludedTables: ['events'], generatedColumns: [{ table: 'order_lines', column: 'total' }],
  });
  expect(rules.slice(2)).toEqual([
    { 'rule-type': 'selection', 'rule-id': '3', 'rule-name': 'exclude-3', 'object-locator': { 'schema-name': 's', 'table-name': 'events' }, 'rule-action': 'exclude' },
    {
      'rule-type': 'transformation',
      'rule-id': '4',
      'rule-name': 'remove-generated-4',
      'rule-target': 'column',
      'object-locator': { 'schema-name': 's', 'table-name': 'order[_]lines', 'column-name': 'total' },
      'rule-action': 'remove-column',
    },
  ]);
  expect(new Set(rules.map((r) => r['rule-id'])).size).toBe(rules.length);
});
