import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * This package's version, as the CLI's `--version` and a backup's manifest state it: read from the
 * package.json above this file (src/ under ts-node, lib/ when compiled) or, in the construct's
 * bundled task programs, from the copy beside the bundle; `unknown` when there is neither.
 *
 * @example
 * toolVersion(); // '1.4.0'
 */
export function toolVersion(): string {
  for (const file of [join(__dirname, '..', 'package.json'), join(__dirname, 'package.json')]) {
    try {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (name === 'pg-schema-restore' && typeof version === 'string') return version;
    } catch {
      // Not there: try the next place.
    }
  }
  return 'unknown';
}
