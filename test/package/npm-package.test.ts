import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const consumerFixtures = join(__dirname, 'consumer');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Measured 2026-11-27: 326 kB packed, 1.08 MB unpacked, 415 files (was 3.5 MB / 12.6 MB with construct/);
 * with tenant backups, verify and drills (issue 14): 472 kB packed.
 */
const MAX_PACKED_BYTES = 600_000;
const MAX_UNPACKED_BYTES = 2_000_000;

/** What `npm pack --json` says about the tarball. */
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** What both consumer scripts print; the ES module one adds the named exports Node did not detect. */
const COMMON_OUTPUT = [
  'root: InvalidInputError INVALID_INPUT',
  'quote: "Order Lines" suffix: _20240128143000',
  'aws: true 0',
  'local: function undefined',
  'testing: customer_a1,customer_a2 10',
  'deep: ERR_PACKAGE_PATH_NOT_EXPORTED',
  '',
].join('\n');

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let work: string;
let app: string;
let packed: PackResult;
let compiled: ReturnType<typeof run>;

/**
 * Compile the sources into a clean copy of the package (the checkout's lib/ may be stale or hold files
 * of sources since removed), pack it, and install the tarball into a scratch project from npm's cache,
 * as a user's project would get it.
 */
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pgsr-package-'));
  const pkg = join(work, 'pg-schema-restore');
  mkdirSync(pkg);
  for (const file of ['package.json', 'README.md', 'LICENSE']) copyFileSync(join(root, file), join(pkg, file));
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', join(pkg, 'lib'), '--incremental', 'false'], { cwd: root, stdio: 'pipe' });
  [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkg, encoding: 'utf8' })) as PackResult[];
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  for (const file of readdirSync(consumerFixtures)) copyFileSync(join(consumerFixtures, file), join(app, file));
  const typesNode = (JSON.parse(readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string }).version;
  execFileSync('npm', ['install', join(work, packed.filename), `@types/node@${typesNode}`, '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: app, stdio: 'pipe' });
  compiled = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  test('holds only lib/ (JS and .d.ts, no handlers), README, LICENSE and package.json, within the size bound', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => !/^lib\/.+\.(js|d\.ts)$/.test(p)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(paths.filter((p) => /^(construct|\.ci|bench|examples|test|src|docs|lib\/handlers)\//.test(p))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['lib/index.js', 'lib/aws.d.ts', 'lib/local.js', 'lib/testing.d.ts', 'lib/cli/main.js']));
    expect(packed.size).toBeLessThan(MAX_PACKED_BYTES);
    expect(packed.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
  });

  test('has no source maps with sources and no install scripts', () => {
    const installed = join(app, 'node_modules', 'pg-schema-restore');
    const js = packed.files.filter((f) => f.path.endsWith('.js')).map((f) => readFileSync(join(installed, f.path), 'utf8'));
    expect(js.filter((text) => text.includes('sourceMappingURL') || text.includes('sourcesContent'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; repository?: unknown };
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
    expect(manifest.repository).toEqual({ type: 'git', url: 'https://github.com/pg-schema-restore/pg-schema-restore.git' });
  });

  test('a strict TypeScript project (node16 modules, no skipLibCheck) compiles against the root and subpath entries', () => {
    expect(compiled.stdout).toBe('');
    expect(compiled.status).toBe(0);
  });

  test.each([
    ['CommonJS (require)', 'consumer.cjs', COMMON_OUTPUT],
    ['an ES module (named imports through the CJS interop)', 'consumer.mjs', `${COMMON_OUTPUT}named exports: all\n`],
  ])('the compiled script runs as %s', (_kind, script, expected) => {
    const { status, stdout, stderr } = run(process.execPath, [join('out', script)], app);
    expect(stderr).toBe('');
    expect(stdout).toBe(expected);
    expect(status).toBe(0);
  });

  test('the installed bin runs without warnings', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const { status, stdout, stderr } = run(join(app, 'node_modules', '.bin', 'pg-schema-restore'), ['--version'], app);
    expect(stderr).toBe('');
    expect(stdout).toBe(`${version}\n`);
    expect(status).toBe(0);
  });
});
