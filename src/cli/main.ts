#!/usr/bin/env node
// First: a data-moving command restarts with a small young generation; then V8 settings that must
// precede loading the SQL parser.
import './small-young-generation';
import './wasm-baseline-compiler';
import { processCliDeps } from './cli-deps';
import { runCli } from './program';

// Loaded on first use: `--help` and argument errors stay fast and need no database libraries.
const deps = processCliDeps({
  restore: async (options) => (await import('../restore-schema')).restoreSchema(options),
});

// A reader that goes away early (`… --help | head`) only ends the output, as with other command-line
// tools: no stack trace, and a restore under way still finishes or cleans up.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
});

runCli(process.argv.slice(2), deps)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`pg-schema-restore: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
