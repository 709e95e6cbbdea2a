import { javascript, typescript } from 'projen';

const REPOSITORY = 'https://github.com/pg-schema-restore/pg-schema-restore';

/** Where the project lives, for the package's page on npm: spread into the project's options. */
export const PACKAGE_METADATA: javascript.NodePackageOptions = {
  repository: `${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  bugsUrl: `${REPOSITORY}/issues`,
  keywords: ['postgresql', 'postgres', 'schema', 'multi-tenant', 'restore', 'backup', 'point-in-time-recovery', 'pitr', 'pg_dump', 'rds', 'aurora', 'cli'],
};

/**
 * The package's entry points besides the root (`src/index.ts`): each is a barrel `src/<name>.ts`,
 * imported as `pg-schema-restore/<name>`. Everything else under `lib/` is not reachable from outside.
 */
export const SUBPATH_ENTRIES = ['aws', 'local', 'testing'];

/** One `exports` entry for a CommonJS barrel: ESM consumers load the same file through Node's CJS interop. */
function entry(barrel: string): Record<string, string> {
  return { types: `./lib/${barrel}.d.ts`, require: `./lib/${barrel}.js`, default: `./lib/${barrel}.js` };
}

/**
 * What `npm pack` publishes and how consumers reach it: only `lib/` (JS and `.d.ts`, without the
 * Lambda handlers, which are bundled into the construct), README and LICENSE; the root and subpath
 * entries in `exports`. The construct, CI, benchmarks, examples, tests and sources stay in the repository.
 */
export function configureNpmPackage(project: typescript.TypeScriptProject): void {
  const entries: Record<string, unknown> = { '.': entry('index') };
  for (const name of SUBPATH_ENTRIES) entries[`./${name}`] = entry(name);
  entries['./package.json'] = './package.json';
  project.package.addField('exports', entries);
  project.package.addField('files', ['lib/', '!lib/handlers/']);
}
