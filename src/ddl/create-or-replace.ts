import { parseSync } from 'libpg-query';
import { AstNode } from './ast';
import { isKeyword, scanSql } from './sql-tokens';
import { DdlError } from '../errors';

/**
 * `CREATE FUNCTION ...` → `CREATE OR REPLACE FUNCTION ...` (also procedures), so a routine can be
 * redefined in place: same OID, owner, grants, comments and dependent triggers.
 */
export function asCreateOrReplace(sql: string): string {
  const stmt: AstNode = parseSync(sql).stmts?.[0]?.stmt;
  if (!stmt?.CreateFunctionStmt) throw new DdlError(`not a CREATE FUNCTION/PROCEDURE statement: ${sql.slice(0, 60)}`);
  if (stmt.CreateFunctionStmt.replace) return sql;
  const [create] = scanSql(sql);
  if (!isKeyword(create, 'CREATE')) throw new DdlError(`unexpected routine statement: ${sql.slice(0, 60)}`);
  const buf = Buffer.from(sql, 'utf8');
  return `${buf.subarray(0, create.end).toString('utf8')} OR REPLACE${buf.subarray(create.end).toString('utf8')}`;
}
