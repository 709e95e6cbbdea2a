// A CommonJS consumer of the packed package: the root entry and every subpath entry, with their types.
import {
  DatabaseConnection, InvalidInputError, planRestore, quoteIdent, RestorePlan, RestoreSchemaOptions, SchemaRestoreError, timestampSuffix,
} from 'pg-schema-restore';
import { Ledger, memoryLedgerStore, rdsCaCertificates, rdsTlsOptions } from 'pg-schema-restore/aws';
import { LocalCluster, startLocalCluster } from 'pg-schema-restore/local';
import { SAMPLE_SCHEMAS, sampleRowCounts } from 'pg-schema-restore/testing';
// @ts-expect-error internal modules are no API: `exports` hides them from the compiler too
import type { connect } from 'pg-schema-restore/lib/connection';

const live: DatabaseConnection = 'postgres://restore@127.0.0.1:1/live';
const options: RestoreSchemaOptions = { source: live, target: live, schemas: [] };

async function main(): Promise<void> {
  const planned: RestorePlan | SchemaRestoreError = await planRestore(options).catch((err: unknown) => {
    if (err instanceof InvalidInputError) return err;
    throw err;
  });
  console.log(`root: ${planned instanceof SchemaRestoreError ? `${planned.name} ${planned.code}` : 'planned'}`);
  console.log(`quote: ${quoteIdent('Order Lines')} suffix: ${timestampSuffix(new Date('2024-01-28T14:30:00Z'))}`);
  const ca: string[] = rdsTlsOptions().ca;
  const ledger = new Ledger(memoryLedgerStore(), 'restore-1');
  console.log(`aws: ${ca.length === rdsCaCertificates().length && ca[0].startsWith('-----BEGIN CERTIFICATE-----')} ${(await ledger.entries()).length}`);
  const cluster: Promise<LocalCluster> | undefined = process.env.NEVER_SET ? startLocalCluster() : undefined;
  console.log(`local: ${typeof startLocalCluster} ${cluster}`);
  console.log(`testing: ${SAMPLE_SCHEMAS.tenant_a.join(',')} ${sampleRowCounts(10).users}`);
  try {
    require('pg-schema-restore/lib/connection');
  } catch (err) {
    console.log(`deep: ${(err as { code?: string }).code}`);
  }
}

void main();
