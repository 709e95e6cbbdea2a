import { setFlagsFromString } from 'node:v8';

/*
 * PostgreSQL's parser (libpg-query) is WebAssembly. By default V8 recompiles its hot functions with
 * its optimizing compiler in the background, and that compilation of the generated grammar takes
 * about 45 MB of memory for as long as it runs, right when the copy starts, and more CPU than the
 * faster code saves on any tenant's DDL. The baseline code is kept instead. This must run before
 * the parser module is loaded: the CLI imports this file first.
 */
setFlagsFromString('--no-wasm-tier-up');
setFlagsFromString('--no-wasm-dynamic-tiering');
