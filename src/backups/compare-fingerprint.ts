import type { ManifestSchema } from './backup-manifest';
import type { SchemaFingerprint } from './schema-fingerprint';

/**
 * What differs between a schema as its manifest records it and as it was restored: a relation
 * missing or added, a row count or content checksum that differs, columns hashed in another order,
 * a sequence at another position. One sentence per difference, naming the relation; empty when
 * they agree. Pure.
 *
 * @example
 * fingerprintProblems(manifestSchema, await fingerprintSchema(client, 'customer_a1'));
 * // ['table customer_a1.orders: checksum 12 in the backup's manifest, 34 restored (rows 200 and 200)']
 */
export function fingerprintProblems(expected: ManifestSchema, restored: SchemaFingerprint): string[] {
  const schema = expected.name;
  const problems: string[] = [];
  const found = new Map(restored.relations.map((r) => [r.name, r]));
  for (const want of expected.relations) {
    const got = found.get(want.name);
    const what = `${want.kind} ${schema}.${want.name}`;
    if (!got) {
      problems.push(`${what} of the manifest was not restored`);
    } else if (got.columns.join('\0') !== want.columns.join('\0')) {
      problems.push(`${what}: columns (${got.columns.join(', ')}) restored, the manifest hashed (${want.columns.join(', ')})`);
    } else if (got.rows !== want.rows || got.checksum !== want.checksum) {
      problems.push(`${what}: checksum ${want.checksum ?? 'none'} in the backup's manifest, ${got.checksum ?? 'none'} restored (rows ${want.rows ?? 'none'} and ${got.rows ?? 'none'})`);
    }
    found.delete(want.name);
  }
  for (const extra of found.values()) problems.push(`${extra.kind} ${schema}.${extra.name} was restored but is not in the manifest`);
  const positions = new Map(restored.sequences.map((s) => [s.name, s]));
  for (const want of expected.sequences) {
    const got = positions.get(want.name);
    if (!got) {
      problems.push(`sequence ${schema}.${want.name} of the manifest was not restored`);
    } else if (got.lastValue !== want.lastValue || got.isCalled !== want.isCalled) {
      problems.push(`sequence ${schema}.${want.name}: at ${want.lastValue} in the manifest, ${got.lastValue} restored`);
    }
  }
  return problems;
}
