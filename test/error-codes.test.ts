import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, ErrorCode, isErrorCode, SchemaRestoreError } from '../src/errors';

const ROOT = join(__dirname, '..');
const START = /<!-- error-codes:start[^>]*-->\n/;
const END = '<!-- error-codes:end -->';

/** The README's table of error codes, as it should read: one row per code of the catalogue. */
function renderCodeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning.replace(/\|/g, '\\|')} |`);
  return ['| Code | Meaning, and what to do |', '| --- | --- |', ...rows].join('\n') + '\n';
}

/** What lies between the README's error-codes markers. */
function readmeCodeTable(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < start.index) throw new Error(`README.md has no "<!-- error-codes:start … -->" … "${END}" markers around its list of error codes`);
  return readme.slice(start.index + start[0].length, end);
}

/** Every TypeScript file under src/, with its text. */
function sourceFiles(dir = join(ROOT, 'src')): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [{ path: path.slice(ROOT.length + 1), text: readFileSync(path, 'utf8') }] : [];
  });
}

describe('the catalogue of error codes', () => {
  test('the README lists exactly the codes of ERROR_CODES, each with its meaning', () => {
    const expected = renderCodeTable();
    const listed = [...readmeCodeTable().matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    const fix = 'README.md\'s list of error codes differs from ERROR_CODES (src/error-codes.ts); replace the lines between ' +
      `"<!-- error-codes:start … -->" and "${END}" in README.md with:\n\n${expected}`;
    if (readmeCodeTable() !== expected) throw new Error(`${fix}\n(codes listed now: ${listed.join(', ')})`);
    expect(listed).toEqual(Object.keys(ERROR_CODES));
  });

  test('every code says in one line what it means and what to do', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect({ code, ok: /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code) && /^[^\n]{20,160}$/.test(meaning) && meaning.includes(':') }).toEqual({ code, ok: true });
    }
  });

  test('every code is thrown somewhere in src/ (no stale entries)', () => {
    const code = sourceFiles().filter((f) => f.path !== join('src', 'error-codes.ts')).map((f) => f.text).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((c) => !code.includes(`'${c}'`));
    expect(unused).toEqual([]);
  });

  test('isErrorCode tells catalogue codes from other strings', () => {
    expect(isErrorCode('SCHEMA_EXISTS')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('NOT_A_CODE')).toBe(false);
  });

  test('an error built with a code keeps it and its class name', () => {
    const code: ErrorCode = 'WAL_GAP';
    const err = new SchemaRestoreError(code, 'a hole in the archive');
    expect(err).toMatchObject({ code: 'WAL_GAP', name: 'SchemaRestoreError', message: 'a hole in the archive' });
  });

  test('no bare Error is thrown in src/ except internal invariants that say so on the line before', () => {
    const bare = sourceFiles().flatMap(({ path, text }) => {
      const lines = text.split('\n');
      return lines.flatMap((line, i) => (/throw new Error\(/.test(line) && !/Internal invariant, never/.test(lines[i - 1] ?? '') ? [`${path}:${i + 1}`] : []));
    });
    expect(bare).toEqual([]);
  });
});
