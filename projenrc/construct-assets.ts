import { awscdk, typescript } from 'projen';

/** The Lambda handlers the construct loads from `assets/handlers/<name>/index.js`; each is `src/handlers/<name>.lambda.ts`. */
export const CONSTRUCT_HANDLERS = [
  'start-request',
  'detect-source',
  'start-temporary',
  'check-temporary',
  'resolve-secret',
  'cleanup',
  'finish-request',
];

/** Prebuilt into the task image's build context next to its Dockerfile: the CLI and the tasks' entry points. */
export const IMAGE_ENTRIES = {
  'pg-schema-restore': 'src/cli/main.ts',
  // SchemaRestore's copy task (the image's ENTRYPOINT).
  'restore-task': 'src/handlers/restore-task.ts',
  // TenantBackups' scheduled tasks (their task definitions' entry points).
  'backup-task': 'src/handlers/backup-task.ts',
  'drill-task': 'src/handlers/drill-task.ts',
};

/**
 * Bundle the handlers and the task image's programs from the SDK's sources with esbuild into
 * `construct/assets/`, before the construct compiles: the construct ships them prebuilt and never
 * bundles at synth time.
 */
export function bundleConstructAssets(project: typescript.TypeScriptProject, construct: awscdk.AwsCdkConstructLibrary): void {
  const entries = [
    ...CONSTRUCT_HANDLERS.map((name) => `handlers/${name}/index=src/handlers/${name}.lambda.ts`),
    ...Object.entries(IMAGE_ENTRIES).map(([name, entry]) => `image/bundle/${name}=${entry}`),
  ];
  const bundle = project.addTask('bundle:handlers', {
    description: 'Bundle the construct\'s Lambda handlers and task programs into construct/assets/',
    steps: [
      { exec: 'rm -rf construct/assets/handlers construct/assets/image/bundle' },
      // pg-native is an optional peer of pg that is never installed; the SDK v3 is bundled, not taken from the runtime.
      { exec: `esbuild ${entries.join(' ')} --bundle --platform=node --target=node22 --outdir=construct/assets --external:pg-native --minify --keep-names --legal-comments=none --log-level=warning` },
      // The SQL parser loads its WebAssembly from the directory of the script that bundles it.
      { exec: 'cp node_modules/libpg-query/wasm/libpg-query.wasm construct/assets/image/bundle/' },
      // The task programs state the package's version (toolVersion, e.g. in a backup's manifest): its name and version beside them.
      { exec: 'node -e "const {name, version} = require(\'./package.json\'); require(\'fs\').writeFileSync(\'construct/assets/image/bundle/package.json\', JSON.stringify({name, version}))"' },
    ],
  });
  construct.preCompileTask.exec('npx projen bundle:handlers', { cwd: '..' });
  // Root tests synthesize the construct (state machine, examples): its assets must exist before jest
  // starts its parallel workers, or two of them bundle at once and see each other's half-built output.
  project.testTask.prependSpawn(bundle);
}

/** The build regenerates API.md (post-compile docgen); on CI it fails when the committed API.md differs from what it generated. */
export function checkApiReference(construct: awscdk.AwsCdkConstructLibrary): void {
  const check = construct.addTask('docgen:check', {
    description: 'Fail when ../API.md differs from the committed one: run npx projen build in construct/ and commit API.md',
    condition: 'node -e "if (!process.env.CI) process.exit(1)"',
    steps: [
      { exec: 'git ls-files --error-unmatch ../API.md', name: 'API.md is committed' },
      { exec: 'git diff --exit-code --stat -- ../API.md', name: 'API.md is what the build generated' },
    ],
  });
  construct.postCompileTask.spawn(check);
}

/** `npm test` at the root also installs the construct from its lock file and builds it (bundles, jsii, tests, API.md). */
export function testConstructInCi(project: typescript.TypeScriptProject): void {
  const testConstruct = project.addTask('test:construct', {
    description: 'Install the construct package from its lock file and run its build (jsii, tests, API.md)',
    cwd: 'construct',
    steps: [{ exec: 'npm ci' }, { exec: 'npx projen build' }],
  });
  project.testTask.spawn(testConstruct);
}
