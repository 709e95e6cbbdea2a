import { parseDuration } from './cleanup-args';

/**
 * A lock timeout option's value in ms. Like PostgreSQL's `lock_timeout`, a bare number is
 * milliseconds; else a duration with its unit (`500ms`, `2s`, `1m`).
 *
 * @example
 * parseLockTimeoutArg('300', '--lock-timeout'); // 300
 * parseLockTimeoutArg('5s', '--lock-wait-timeout'); // 5000
 */
export function parseLockTimeoutArg(value: string, option: string): number {
  return parseDuration(/^\s*\d+\s*$/.test(value) ? `${value.trim()}ms` : value, option);
}
