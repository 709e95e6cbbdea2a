import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerEntry, LedgerStore, RESOURCE_KINDS } from '../aws/ledger';
import { InvalidInputError } from '../errors';

function parseEntries(text: string, path: string): LedgerEntry[] {
  const bad = (why: string) => new InvalidInputError(`the resource ledger ${path} is unreadable (${why}); ` +
    'check the resources it names with the orphan sweep, then move the file away', { code: 'LEDGER_CORRUPT' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!Array.isArray(parsed)) throw bad('not a JSON array');
  for (const e of parsed as Array<Partial<LedgerEntry>>) {
    if (typeof e?.id !== 'string' || typeof e.restoreId !== 'string' || !RESOURCE_KINDS.includes(e.kind as LedgerEntry['kind'])) throw bad('an entry lacks kind, id or restoreId');
  }
  return parsed as LedgerEntry[];
}

/**
 * A ledger store in a local JSON file (the CLI's): readable only by its owner (mode 0600), replaced
 * atomically (temporary file + rename) so a crash never leaves half a ledger; a missing file is an
 * empty ledger.
 *
 * @example
 * const ledger = new Ledger(fileLedgerStore(join(homedir(), '.pg-schema-restore', 'ledger.json')), restoreId);
 */
export function fileLedgerStore(path: string): LedgerStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      return text.trim() === '' ? [] : parseEntries(text, path);
    },
    async save(entries) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        await rename(temporary, path);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
    },
  };
}
