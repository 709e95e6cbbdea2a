// An ES module consumer of the packed (CommonJS) package: named imports through Node's CJS interop.
import { createRequire } from 'node:module';
import { InvalidInputError, planRestore, quoteIdent, RestorePlan, SchemaRestoreError, timestampSuffix } from 'pg-schema-restore';
import { Ledger, memoryLedgerStore, rdsCaCertificates, rdsTlsOptions } from 'pg-schema-restore/aws';
import { startLocalCluster } from 'pg-schema-restore/local';
import { SAMPLE_SCHEMAS, sampleRowCounts } from 'pg-schema-restore/testing';

const planned: RestorePlan | SchemaRestoreError = await planRestore({ source: 'postgres://restore@127.0.0.1:1/past', target: 'postgres://restore@127.0.0.1:1/live', schemas: [] })
  .catch((err: unknown) => {
    if (err instanceof InvalidInputError) return err;
    throw err;
  });
console.log(`root: ${planned instanceof SchemaRestoreError ? `${planned.name} ${planned.code}` : 'planned'}`);
console.log(`quote: ${quoteIdent('Order Lines')} suffix: ${timestampSuffix(new Date('2024-01-28T14:30:00Z'))}`);
const ca: string[] = rdsTlsOptions().ca;
const ledger = new Ledger(memoryLedgerStore(), 'restore-1');
console.log(`aws: ${ca.length === rdsCaCertificates().length && ca[0].startsWith('-----BEGIN CERTIFICATE-----')} ${(await ledger.entries()).length}`);
console.log(`local: ${typeof startLocalCluster} undefined`);
console.log(`testing: ${SAMPLE_SCHEMAS.tenant_a.join(',')} ${sampleRowCounts(10).users}`);
const deep = await import('pg-schema-restore/lib/connection.js' as string).catch((err: { code?: string }) => err.code);
console.log(`deep: ${deep}`);

// Every name `require` sees, `import` sees too: cjs-module-lexer found each entry's exports.
const requireCjs = createRequire(import.meta.url);
const undetected: string[] = [];
for (const entry of ['pg-schema-restore', 'pg-schema-restore/aws', 'pg-schema-restore/local', 'pg-schema-restore/testing']) {
  const namespace = await import(entry) as Record<string, unknown>;
  undetected.push(...Object.keys(requireCjs(entry) as object).filter((name) => !(name in namespace)).map((name) => `${entry}:${name}`));
}
console.log(`named exports: ${undetected.length === 0 ? 'all' : undetected.join(' ')}`);
