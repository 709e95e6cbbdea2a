/**
 * Where a run's files go: `<database>/<UTC time>/…` under the store's root, the time in ISO 8601
 * basic form (`2026-11-27T190212Z`), so runs sort by time in any listing and read easily. A second
 * run in the same second gets `-2`, `-3`, … after the time.
 */
const RUN_NAME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/;

/**
 * The run directory's name for a time.
 *
 * @example
 * runName(new Date('2026-11-27T19:02:12.345Z')); // '2026-11-27T190212Z'
 */
export function runName(at: Date, repeat = 1): string {
  const iso = at.toISOString();
  const name = `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return repeat > 1 ? `${name}-${repeat}` : name;
}

/**
 * The time a run directory's name stands for; undefined when the name is not a run's.
 *
 * @example
 * runTime('2026-11-27T190212Z'); // 2026-11-27T19:02:12.000Z
 * runTime('customer_a1.dump'); // undefined
 */
export function runTime(name: string): Date | undefined {
  const m = RUN_NAME.exec(name);
  if (!m) return undefined;
  const time = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * The archive's file name for a schema: the name itself where it is a plain file name, else
 * percent-encoded (`/`, `%`, control characters), then `.dump`.
 *
 * @example
 * archiveName('customer_a1'); // 'customer_a1.dump'
 * archiveName('a/b'); // 'a%2Fb.dump'
 */
export function archiveName(schema: string): string {
  // eslint-disable-next-line no-control-regex
  return `${schema.replace(/[%/\\\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}.dump`;
}
