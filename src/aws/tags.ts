import type { Tag } from '@aws-sdk/client-rds';

/** Tag naming the restore that created a resource; cleanup and the orphan sweep find resources by it. */
export const RESTORE_ID_TAG = 'pg-schema-restore:restore-id';
/** Tag holding the ISO 8601 time after which a resource may be swept as an orphan. */
export const EXPIRES_AT_TAG = 'pg-schema-restore:expires-at';
/** Hours a temporary resource is meant to live. */
export const DEFAULT_TTL_HOURS = 6;

/** RDS identifiers: at most 63 characters, a letter first, then letters, digits and single hyphens, no hyphen last. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * The identifier of a temporary resource of a restore: `pgsr-<restoreId>` (plus `-<suffix>`),
 * lowercased and reduced to what RDS accepts.
 *
 * @example
 * temporaryIdentifier('3F2A_91'); // 'pgsr-3f2a-91'
 * temporaryIdentifier('3f2a', '1'); // 'pgsr-3f2a-1'
 */
export function temporaryIdentifier(restoreId: string, suffix?: string): string {
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const tail = suffix === undefined ? '' : `-${clean(suffix)}`;
  const base = `pgsr-${clean(restoreId)}`.slice(0, MAX_IDENTIFIER_LENGTH - tail.length).replace(/-+$/, '');
  return `${base}${tail}`;
}

/**
 * The tags put on everything a restore creates: its id and when it may be swept.
 *
 * @example
 * restoreTags({ restoreId: 'r1', now: new Date('2024-01-28T14:00:00Z') });
 * // [{ Key: 'pg-schema-restore:restore-id', Value: 'r1' }, { Key: 'pg-schema-restore:expires-at', Value: '2024-01-28T20:00:00.000Z' }]
 */
export function restoreTags(options: { restoreId: string; now: Date; ttlHours?: number }): Tag[] {
  const expiresAt = new Date(options.now.getTime() + (options.ttlHours ?? DEFAULT_TTL_HOURS) * 3_600_000);
  return [
    { Key: RESTORE_ID_TAG, Value: options.restoreId },
    { Key: EXPIRES_AT_TAG, Value: expiresAt.toISOString() },
  ];
}

/** What the tags of a resource say about the restore that created it; undefined when it was not created by one. */
export interface RestoreTagValues {
  readonly restoreId: string;
  readonly expiresAt?: Date;
}

/**
 * Read the restore tags back from a resource's tag list (RDS `TagList`, Secrets Manager `Tags`).
 *
 * @example
 * readRestoreTags(instance.TagList); // { restoreId: 'r1', expiresAt: 2024-01-28T20:00:00.000Z }
 */
export function readRestoreTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): RestoreTagValues | undefined {
  const value = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  const restoreId = value(RESTORE_ID_TAG);
  if (restoreId === undefined) return undefined;
  const expires = value(EXPIRES_AT_TAG);
  const expiresAt = expires === undefined ? undefined : new Date(expires);
  return { restoreId, expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined };
}
