/**
 * What a base backup's `backup_label` (and the WAL archive's backup history file,
 * `<segment>.<offset>.backup`, which adds the STOP lines) says about it.
 */
export interface BackupLabel {
  /** `0/2000028`: where replay starts. */
  readonly startWalLocation: string;
  /** `000000010000000000000002`: the WAL segment replay starts from. */
  readonly startWalFile: string;
  /** When the backup started; undefined when the label's time zone is not one we can read. */
  readonly startTime?: Date;
  /** When the backup finished (history files only). */
  readonly stopTime?: Date;
  /** `0/2000100`: replay must pass this point before the data is consistent (history files only). */
  readonly stopWalLocation?: string;
  readonly timeline: number;
  readonly label?: string;
}

/** UTC offsets of the zone abbreviations PostgreSQL's `Default` set knows without ambiguity, in minutes. */
const ZONE_OFFSETS = new Map<string, number>([
  ['UTC', 0], ['GMT', 0], ['UT', 0], ['Z', 0], ['WET', 0], ['WEST', 60], ['BST', 60], ['CET', 60], ['CEST', 120], ['MET', 60], ['MEST', 120],
  ['EET', 120], ['EEST', 180], ['MSK', 180], ['EST', -300], ['EDT', -240], ['CST', -360], ['CDT', -300], ['MST', -420], ['MDT', -360],
  ['PST', -480], ['PDT', -420], ['AKST', -540], ['AKDT', -480], ['HST', -600], ['JST', 540], ['KST', 540], ['AEST', 600], ['AEDT', 660],
  ['NZST', 720], ['NZDT', 780],
]);

/**
 * A `START TIME` / `STOP TIME` as the server writes it (`2024-01-28 14:00:05 UTC`, in its
 * `log_timezone`): numeric offsets (`+03`, `-0330`) and common abbreviations are read; undefined otherwise.
 *
 * @example
 * parseBackupTime('2024-01-28 14:00:05 CET'); // 2024-01-28T13:00:05.000Z
 */
export function parseBackupTime(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ?(\S+)?$/.exec(text.trim());
  if (!match) return undefined;
  const zone = match[3] ?? 'UTC';
  let offsetMinutes = ZONE_OFFSETS.get(zone.toUpperCase());
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) offsetMinutes = (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3] ?? 0));
  if (offsetMinutes === undefined) return undefined;
  const utc = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(utc) ? undefined : new Date(utc - offsetMinutes * 60_000);
}

/**
 * Parse a `backup_label` or backup history file. Undefined when the text is not one (no
 * `START WAL LOCATION` line).
 *
 * @example
 * parseBackupLabel('START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTART TIME: 2024-01-28 14:00:05 UTC\nSTART TIMELINE: 1\n');
 * // { startWalLocation: '0/2000028', startWalFile: '000000010000000000000002', startTime: 2024-01-28T14:00:05Z, timeline: 1 }
 */
export function parseBackupLabel(text: string): BackupLabel | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 2).trim());
  }
  const start = /^([0-9A-F]+\/[0-9A-F]+) \(file ([0-9A-F]{24})\)$/i.exec(fields.get('START WAL LOCATION') ?? '');
  if (!start) return undefined;
  const stop = /^([0-9A-F]+\/[0-9A-F]+)/i.exec(fields.get('STOP WAL LOCATION') ?? '');
  const startTime = fields.has('START TIME') ? parseBackupTime(fields.get('START TIME')!) : undefined;
  const stopTime = fields.has('STOP TIME') ? parseBackupTime(fields.get('STOP TIME')!) : undefined;
  return {
    startWalLocation: start[1].toUpperCase(),
    startWalFile: start[2].toUpperCase(),
    startTime,
    stopTime,
    stopWalLocation: stop?.[1].toUpperCase(),
    // Labels before PostgreSQL 11 have no START TIMELINE; the segment name starts with it.
    timeline: Number(fields.get('START TIMELINE') ?? parseInt(start[2].slice(0, 8), 16)),
    label: fields.get('LABEL'),
  };
}
