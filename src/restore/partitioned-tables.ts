import { nodeType } from '../ddl/ast';
import type { DdlStatement } from '../ddl/split-ddl';
import { parseStatements } from '../ddl/sql-statements';

/**
 * The partitioned tables a pre-data creates (`CREATE TABLE … PARTITION BY`, partitions of partitions
 * included), as `[schema, name]` keys of `key` ({@link relationKey}). Only CREATE TABLE statements
 * whose text says PARTITION BY are parsed again, so thousands of plain tables cost nothing.
 *
 * @example
 * partitionedTables(definitions.staged.preData, relationKey).has(relationKey(staging, 'events')); // true
 */
export function partitionedTables(preData: readonly DdlStatement[], key: (schema: string, name: string) => string): Set<string> {
  const out = new Set<string>();
  for (const statement of preData) {
    if (statement.type !== 'CreateStmt' || !/PARTITION\s+BY/i.test(statement.sql)) continue;
    for (const { tree } of parseStatements(statement.sql)) {
      const [type, node] = nodeType(tree);
      if (type === 'CreateStmt' && node.partspec && node.relation?.schemaname) out.add(key(node.relation.schemaname, node.relation.relname));
    }
  }
  return out;
}
