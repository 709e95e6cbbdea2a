import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolVersion } from '../src/tool-version';
import { ensureHandlerAssets } from './support/workflow';

const ROOT = join(__dirname, '..');
const packageVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('toolVersion', () => {
  test('is the package\'s version, from the sources', () => {
    expect(toolVersion()).toBe(packageVersion);
  });

  test('is the package\'s version in the task image\'s bundled CLI too, which has no package.json above it', () => {
    ensureHandlerAssets();
    const printed = execFileSync(process.execPath, [join(ROOT, 'construct', 'assets', 'image', 'bundle', 'pg-schema-restore.js'), '--version'], { encoding: 'utf8' });
    expect(printed.trim()).toBe(packageVersion);
  });
});
