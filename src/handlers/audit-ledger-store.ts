import { AuditTable, readAuditAttribute, RESOURCES_ATTRIBUTE, writeAuditAttribute } from './audit-table';
import { LedgerEntry, LedgerStore, RESOURCE_KINDS } from '../aws/ledger';
import { InvalidInputError } from '../errors';

/**
 * A ledger store in the restore's own audit record (attribute `resources`): each resource is
 * written there the moment its create call returns, so the cleanup branch finds it even when the
 * function that created it died right after — which entries carried in the execution state would lose.
 *
 * @example
 * const ledger = new Ledger(auditLedgerStore(table, restoreId), restoreId);
 */
export function auditLedgerStore(table: AuditTable, restoreId: string): LedgerStore {
  return {
    async load() {
      const text = await readAuditAttribute(table, restoreId, RESOURCES_ATTRIBUTE);
      if (text === undefined) return [];
      const entries = JSON.parse(text) as LedgerEntry[];
      if (!Array.isArray(entries) || entries.some((e) => typeof e?.id !== 'string' || !RESOURCE_KINDS.includes(e.kind))) {
        throw new InvalidInputError(`the resources of ${restoreId} in the audit table ${table.tableName} are unreadable; ` +
          'delete the resources tagged pg-schema-restore:restore-id=' + restoreId + ' by hand', { code: 'LEDGER_CORRUPT' });
      }
      return entries;
    },
    async save(entries) {
      await writeAuditAttribute(table, restoreId, RESOURCES_ATTRIBUTE, JSON.stringify(entries));
    },
  };
}
