/** One rule of a DMS table mapping, in the documented JSON shape (`rule-type`, `object-locator`, …). */
export interface DmsMappingRule {
  readonly 'rule-type': 'selection' | 'transformation';
  readonly 'rule-id': string;
  readonly 'rule-name': string;
  readonly 'object-locator': { readonly 'schema-name': string; readonly 'table-name'?: string; readonly 'column-name'?: string };
  readonly 'rule-action': 'include' | 'exclude' | 'rename' | 'remove-column';
  readonly 'rule-target'?: 'schema' | 'column';
  readonly 'value'?: string;
}

/** The `TableMappings` document of a replication task. */
export interface DmsTableMappings {
  readonly rules: DmsMappingRule[];
}

/** Options of {@link dmsTableMappings}. */
export interface DmsTableMappingsOptions {
  /** Schema read at the source. */
  readonly source: string;
  /** Schema written in the target (the staging schema that already holds the tables). */
  readonly target: string;
  /** Generated columns per table: the target computes them and refuses written values, so they are left out. @default - none */
  readonly generatedColumns?: ReadonlyArray<{ readonly table: string; readonly column: string }>;
  /** Tables not to read: partitioned parents, whose partitions are loaded each on its own. @default - none */
  readonly excludedTables?: readonly string[];
}

/**
 * A name as a DMS object-locator matches it literally: `%`, `_` and `[` are wildcards there, so each
 * is written as a one-character set (`customer_a1` → `customer[_]a1`).
 *
 * @example
 * dmsLiteral('customer_a1'); // 'customer[_]a1'
 */
export function dmsLiteral(name: string): string {
  return name.replace(/[%_[]/g, (c) => `[${c}]`);
}

/**
 * The table mappings of a full load of one schema: a selection rule for every table of the schema, a
 * `rename` transformation of the schema to the staging schema, an exclusion per partitioned parent
 * and a `remove-column` rule per generated column. Pure: the same input gives the same JSON.
 *
 * @example
 * JSON.stringify(dmsTableMappings({ source: 'customer_a1', target: 'pgsr_3f2a_0' }));
 * // {"rules":[{"rule-type":"selection",…,"object-locator":{"schema-name":"customer[_]a1","table-name":"%"},"rule-action":"include"},
 * //          {"rule-type":"transformation",…,"rule-target":"schema",…,"rule-action":"rename","value":"pgsr_3f2a_0"}]}
 */
export function dmsTableMappings(options: DmsTableMappingsOptions): DmsTableMappings {
  const schema = dmsLiteral(options.source);
  const rules: DmsMappingRule[] = [
    {
      'rule-type': 'selection',
      'rule-id': '1',
      'rule-name': 'include-schema',
      'object-locator': { 'schema-name': schema, 'table-name': '%' },
      'rule-action': 'include',
    },
    {
      'rule-type': 'transformation',
      'rule-id': '2',
      'rule-name': 'rename-schema',
      'rule-target': 'schema',
      'object-locator': { 'schema-name': schema },
      'rule-action': 'rename',
      'value': options.target,
    },
  ];
  for (const table of options.excludedTables ?? []) {
    const id = String(rules.length + 1);
    rules.push({
      'rule-type': 'selection',
      'rule-id': id,
      'rule-name': `exclude-${id}`,
      'object-locator': { 'schema-name': schema, 'table-name': dmsLiteral(table) },
      'rule-action': 'exclude',
    });
  }
  for (const { table, column } of options.generatedColumns ?? []) {
    const id = String(rules.length + 1);
    rules.push({
      'rule-type': 'transformation',
      'rule-id': id,
      'rule-name': `remove-generated-${id}`,
      'rule-target': 'column',
      'object-locator': { 'schema-name': schema, 'table-name': dmsLiteral(table), 'column-name': dmsLiteral(column) },
      'rule-action': 'remove-column',
    });
  }
  return { rules };
}
