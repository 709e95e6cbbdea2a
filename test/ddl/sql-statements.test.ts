import { PIECE_BYTES } from '../../src/ddl/parse-in-pieces';
import { parseStatements } from '../../src/ddl/sql-statements';
import { loadSqlParser } from '../../src/ddl/sql-tokens';

beforeAll(() => loadSqlParser());

/** Small tables whose defaults hold `;` at a line's end inside a string: a semicolon that ends no statement. */
function tables(count: number, from: number): string[] {
  return Array.from({ length: count }, (_, i) => `CREATE TABLE s.t${from + i} (id int PRIMARY KEY, note text DEFAULT 'a;\nb')`);
}

/**
 * `\restrict`, tables, then a comment line padding the script so that `at` starts `offset` bytes
 * before the parser's first piece would end, then more tables: the statements and the script.
 */
function scriptAround(at: string, offset: number): { statements: string[]; script: string } {
  const before = tables(3000, 0);
  const head = `\\restrict k\n${before.join(';\n')};\n`;
  const pad = PIECE_BYTES - offset - Buffer.byteLength(head) - '--\n'.length;
  const after = tables(2000, 5000);
  return { statements: [...before, at, ...after], script: `${head}--${'-'.repeat(pad)}\n${at};\n${after.join(';\n')};\n\\unrestrict k\n` };
}

describe('parseStatements on a script larger than one parser piece', () => {
  // Each holds a semicolon at a line's end, just past where the first piece would end, that ends no statement.
  const spanning = [
    `CREATE FUNCTION s.f() RETURNS int LANGUAGE plpgsql AS $$\nDECLARE x int := 0;\nBEGIN\n${'  x := x + 1;\n'.repeat(30000)}  RETURN x;\nEND $$`,
    'CREATE RULE r AS ON INSERT TO s.t0 DO ALSO (INSERT INTO s.t1 VALUES (1);\nINSERT INTO s.t2 VALUES (2);\nINSERT INTO s.t3 VALUES (3))',
    'CREATE FUNCTION s.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\nSELECT 2;\nEND',
    "-- a comment;\n/* and one;\n */ SELECT 'x;\ny'",
  ];

  test.each(spanning.map((s) => [s.slice(0, 40), s]))('the same statements as the script parsed whole: %s...', (_head, statement) => {
    const { statements, script } = scriptAround(statement, 10);
    const parsed = parseStatements(script);
    const expected = statements.map((s) => s.replace(/^-- a comment;\n\/\* and one;\n \*\/ /, ''));
    expect(parsed.map((s) => s.sql)).toEqual(expected);
    expect(parsed.map((s) => Object.keys(s.tree)[0])).toEqual(expected.map((s) => (s.startsWith('CREATE TABLE') ? 'CreateStmt' : s.startsWith('CREATE RULE') ? 'RuleStmt' : s.startsWith('SELECT') ? 'SelectStmt' : 'CreateFunctionStmt')));
  });

  test('a syntax error in a later piece names its line, as when parsed whole', () => {
    const before = tables(5000, 0);
    const script = `${before.join(';\n')};\nCREATE TABLE oops (;\n${tables(10, 9000).join(';\n')};\n`;
    expect(Buffer.byteLength(script)).toBeGreaterThan(PIECE_BYTES);
    expect(() => parseStatements(script)).toThrow(`the DDL does not parse at line ${before.length * 2 + 1}: syntax error at or near ";"`);
  });
});
