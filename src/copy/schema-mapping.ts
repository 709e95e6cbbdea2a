import { InvalidInputError } from '../errors';

/** A schema at the source and the (staging) schema in the target that receives its data. */
export interface SchemaMapping {
  /** Schema name at the source (exact, case-sensitive). */
  readonly source: string;
  /** Schema name in the target that already holds the same tables, types and sequences. */
  readonly target: string;
  /** Only these relations of the schema, by name (a table-level restore). @default - all of them */
  readonly relations?: ReadonlySet<string>;
}

/**
 * The objects of a listing that belong to a mapping: all of them, or those its `relations` names.
 *
 * @example
 * const tables = mappedOnly(mapping, await listTables(client, mapping.source));
 */
export function mappedOnly<T extends { readonly name: string }>(mapping: Pick<SchemaMapping, 'relations'>, listed: readonly T[]): T[] {
  const only = mapping.relations;
  return only ? listed.filter((o) => only.has(o.name)) : [...listed];
}

/**
 * Reject an empty mapping list, empty names and a schema named twice on either side, before any
 * connection is opened.
 *
 * @example
 * checkSchemaMappings([{ source: 'customer_a1', target: 'customer_a1_staging' }]);
 */
export function checkSchemaMappings(mappings: readonly SchemaMapping[]): void {
  if (mappings.length === 0) throw new InvalidInputError('no schemas given; name at least one schema to copy');
  for (const side of ['source', 'target'] as const) {
    const seen = new Set<string>();
    for (const mapping of mappings) {
      const name = mapping[side];
      if (!name) throw new InvalidInputError(`a ${side} schema name is empty; give every schema a name`);
      if (seen.has(name)) throw new InvalidInputError(`${side} schema "${name}" is named twice; name each schema once`);
      seen.add(name);
    }
  }
}

/**
 * The target schema a source schema maps to.
 *
 * @example
 * targetSchemaOf(mappings, 'customer_a1'); // 'customer_a1_staging'
 */
export function targetSchemaOf(mappings: readonly SchemaMapping[], source: string): string {
  const mapping = mappings.find((m) => m.source === source);
  if (!mapping) throw new InvalidInputError(`schema "${source}" is not among the schemas being restored (${mappings.map((m) => m.source).join(', ')})`);
  return mapping.target;
}
