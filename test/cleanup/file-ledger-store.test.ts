import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src';
import { fileLedgerStore, Ledger } from '../../src/aws';

describe('fileLedgerStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-ledger-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is an empty ledger; entries round-trip through a 0600 file, replaced atomically', async () => {
    const path = join(dir, 'state', 'ledger.json');
    const store = fileLedgerStore(path);
    expect(await store.load()).toEqual([]);
    const ledger = new Ledger(store, 'r1', () => new Date('2024-01-28T14:00:00Z'));
    await Promise.all([ledger.record({ kind: 'rds-cluster', id: 'pgsr-r1' }), ledger.record({ kind: 'rds-instance', id: 'pgsr-r1-1' })]);
    await ledger.record({ kind: 'rds-instance', id: 'pgsr-r1-1' });
    const again = await fileLedgerStore(path).load();
    expect(again).toEqual([
      { kind: 'rds-cluster', id: 'pgsr-r1', restoreId: 'r1', createdAt: '2024-01-28T14:00:00.000Z' },
      { kind: 'rds-instance', id: 'pgsr-r1-1', restoreId: 'r1', createdAt: '2024-01-28T14:00:00.000Z' },
    ]);
    expect((statSync(path).mode % 0o1000).toString(8)).toBe('600');
    await ledger.remove('rds-cluster', 'pgsr-r1');
    expect((await store.load()).map((e) => e.id)).toEqual(['pgsr-r1-1']);
    expect(readdirSync(join(dir, 'state'))).toEqual(['ledger.json']);
  });

  test('a corrupt file fails with a code and what to do', async () => {
    const path = join(dir, 'ledger.json');
    writeFileSync(path, '{"half":');
    const err = await fileLedgerStore(path).load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'LEDGER_CORRUPT' });
    expect((err as Error).message).toMatch(/ledger.json is unreadable \(not JSON\); check the resources it names/);
    writeFileSync(path, '[{"kind":"volume","id":"x","restoreId":"r"}]');
    await expect(fileLedgerStore(path).load()).rejects.toThrow(/an entry lacks kind, id or restoreId/);
  });
});
