import { InvalidInputError } from './errors';

/**
 * Quote an SQL identifier, always: `acme-corp` → `"acme-corp"`, `Order "X"` → `"Order ""X"""`.
 * Every identifier that reaches SQL goes through here.
 *
 * @example
 * `SELECT count(*) FROM ${quoteIdent(schema)}.${quoteIdent(table)}`
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new InvalidInputError(`identifier ${JSON.stringify(name)} contains a NUL byte, which PostgreSQL does not allow; remove it`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** A qualified name, each part quoted: `"schema"."table"`. */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** Quote a string literal (standard_conforming_strings on): `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new InvalidInputError('a text value contains a NUL byte, which PostgreSQL does not allow; remove it');
  return `'${value.replace(/'/g, "''")}'`;
}

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;
