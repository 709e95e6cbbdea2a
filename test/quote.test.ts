import { InvalidInputError } from '../src/errors';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/quote';

describe('quoting', () => {
  test('identifiers and literals are always quoted, embedded quotes doubled', () => {
    expect(quoteQualified('acme-corp', 'Order "X"')).toBe('"acme-corp"."Order ""X"""');
    expect(quoteLiteral('it\'s')).toBe('\'it\'\'s\'');
  });

  test('a NUL byte, which PostgreSQL cannot store, is refused as bad input with a code', () => {
    expect(() => quoteIdent('bad\0name')).toThrow(InvalidInputError);
    expect(() => quoteIdent('bad\0name')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/identifier "bad\\u0000name" contains a NUL byte/) }));
    expect(() => quoteLiteral('x\0')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
