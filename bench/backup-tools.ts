/**
 * The backup tools the benchmark compares: `pg-schema-restore backup` of the tenant to a local
 * directory (archive, sha256 and per-table checksums from one snapshot) against plain
 * `pg_dump -Fc -n <schema> -f <file>` of the same schema. Goal: ours ≤ 1.1× pg_dump.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { measured, Tool, ToolContext } from './tools';

/** `pg-schema-restore backup --schema <tenant> --to <dir>` (compiled CLI, the source in PGSR_SOURCE). */
export function oursBackup(ctx: ToolContext): Tool {
  const name = 'pg-schema-restore backup --to <dir> (archive + checksums)';
  const dir = join(ctx.work, 'backups');
  const cli = join(__dirname, '..', 'lib', 'cli', 'main.js');
  return {
    name,
    prepare: async () => rmSync(dir, { recursive: true, force: true }),
    run: () => {
      const env = { ...process.env, PGSR_SOURCE: ctx.pg.url('past') };
      const r = measured(name, process.execPath, [cli, 'backup', '--schema', ctx.schema, '--to', dir], env);
      return { tool: r.tool, seconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds };
    },
  };
}

/** `pg_dump -Fc -n <schema> -f <file>`: the same archive, no checksums, no manifest. */
export function pgDumpCustom(ctx: ToolContext): Tool {
  const name = `pg_dump -Fc -n ${ctx.schema} -f <file>`;
  const file = join(ctx.work, 'tenant.dump');
  return {
    name,
    prepare: async () => rmSync(file, { force: true }),
    run: () => measured(name, ctx.pg.binaries.path('pg_dump'), ['-Fc', '-n', ctx.schema, '-f', file, 'past'], ctx.env),
  };
}
