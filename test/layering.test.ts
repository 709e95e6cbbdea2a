import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = join(__dirname, '..', 'src');

/**
 * The layers of `src/`, bottom first, as the README's Development section states them: a folder or a
 * top-level file imports only from its own layer or the ones below (type-only imports excepted).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'error-codes.ts', 'run-options.ts', 'quote.ts', 'format-units.ts', 'progress.ts', 'report.ts', 'sleep.ts', 'poll.ts', 'connection-errors.ts', 'tool-version.ts'],
  ['connection', 'connection.ts', 'cancel-on-abort.ts', 'run-tool.ts'],
  ['aws'],
  ['credentials', 'local', 'sample'],
  ['ddl', 'copy', 'preflight.ts'],
  ['validate'],
  ['cleanup'],
  ['compare', 'swap', 'repair'],
  ['backups'],
  ['sources'],
  ['restore-options.ts', 'restore-names.ts', 'plan-restore.ts', 'restore', 'restore-schema.ts', 'drill'],
  ['cli', 'handlers', 'index.ts', 'aws.ts', 'local.ts', 'testing.ts'],
];

/** Imports that load code: `import … from`, `export … from`, `import('…')`, `require('…')`; not `import type`/`export type`. */
const VALUE_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]|(?:import|require)\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** A folder directly under src/, or a top-level file: the unit of layering. */
function unitOf(file: string): string {
  return relative(SRC, file).split(sep)[0];
}

/** What a relative specifier resolves to, as TypeScript does: `x.ts` before `x/index.ts`. */
function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  try {
    statSync(`${base}.ts`);
    return `${base}.ts`;
  } catch {
    return join(base, 'index.ts');
  }
}

/** Every value import from one unit into another: `[from unit, to unit, 'file -> file']`. */
function crossUnitImports(): [string, string, string][] {
  return sourceFiles(SRC).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(VALUE_IMPORT)].flatMap((m) => {
    const target = resolveImport(file, m[1] ?? m[2]);
    const [a, b] = [unitOf(file), unitOf(target)];
    return a === b ? [] : [[a, b, `${relative(SRC, file)} -> ${relative(SRC, target)}`] as [string, string, string]];
  }));
}

describe('layering of src/', () => {
  const imports = crossUnitImports();
  const layerOf = new Map(LAYERS.flatMap((units, layer) => units.map((unit) => [unit, layer] as const)));

  test('every folder and top-level file of src/ has a layer', () => {
    const units = new Set(sourceFiles(SRC).map(unitOf));
    expect([...units].filter((unit) => !layerOf.has(unit))).toEqual([]);
  });

  test('no folder imports a folder above it, except through import type', () => {
    const upward = imports.filter(([a, b]) => (layerOf.get(b) ?? 0) > (layerOf.get(a) ?? 0)).map(([, , where]) => where);
    expect(upward).toEqual([]);
  });

  test('no two folders import each other, directly or around a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const [a, b] of imports) edges.set(a, (edges.get(a) ?? new Set()).add(b));
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...edges.get(from) ?? []].some((next) => next === to || (!seen.has(next) && seen.add(next) && reaches(next, to, seen)));
    const cycles = imports.filter(([a, b]) => reaches(b, a)).map(([, , where]) => where);
    expect(cycles).toEqual([]);
  });

  test('the check sees imports: the restore imports the copy engines', () => {
    expect(imports.some(([a, b]) => a === 'restore' && b === 'copy')).toBe(true);
  });
});
