import { DdlError, renameSchemasInSql } from '../../src';
import { loadSqlParser } from '../../src/ddl/sql-tokens';

beforeAll(() => loadSqlParser());

describe('renameSchemasInSql inside dollar-quoted bodies', () => {
  const sql = 'CREATE FUNCTION a.f() RETURNS bigint LANGUAGE sql AS $x$SELECT count(*) FROM a.t$x$';

  test('the body is rewritten in its own quotes', () => {
    expect(renameSchemasInSql(sql, new Map([['a', 'a_old']])).text).toBe('CREATE FUNCTION a_old.f() RETURNS bigint LANGUAGE sql AS $x$SELECT count(*) FROM a_old.t$x$');
  });

  test('a new name that holds the body\'s delimiter is refused as a DDL error naming it, not a bare Error', () => {
    const rename = () => renameSchemasInSql(sql, new Map([['a', 'a$x$']]));
    expect(rename).toThrow(DdlError);
    expect(rename).toThrow(expect.objectContaining({ code: 'DDL_ERROR', message: expect.stringContaining('dollar-quote delimiter $x$') }));
  });
});
