import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AppProps } from 'aws-cdk-lib';

/** Cloud assemblies written by this test file's apps; removed after its tests. */
const outdirs: string[] = [];

// Registered when a test file imports this module: an App without `outdir` leaves a `cdk.out*` directory in the temp dir for good.
afterAll(() => {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
});

/**
 * A CDK App that synthesizes into a temporary directory of its own, removed after the test file.
 *
 * @example
 * const stack = new Stack(testApp(), 'Workflow');
 * Template.fromStack(stack);
 */
export function testApp(props: Omit<AppProps, 'outdir'> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'pgsr-cdk-out-'));
  outdirs.push(outdir);
  return new App({ ...props, outdir });
}
