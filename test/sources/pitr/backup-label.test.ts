import { parseBackupLabel, parseBackupTime } from '../../../src/sources/pitr/backup-label';

const LABEL = `START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
CHECKPOINT LOCATION: 0/2000060
BACKUP METHOD: streamed
BACKUP FROM: primary
START TIME: 2024-01-28 14:00:05 UTC
LABEL: pg_basebackup base backup
START TIMELINE: 1
`;

describe('parseBackupLabel', () => {
  test('reads backup_label', () => {
    expect(parseBackupLabel(LABEL)).toEqual({
      startWalLocation: '0/2000028',
      startWalFile: '000000010000000000000002',
      startTime: new Date('2024-01-28T14:00:05Z'),
      stopTime: undefined,
      stopWalLocation: undefined,
      timeline: 1,
      label: 'pg_basebackup base backup',
    });
  });

  test('reads the STOP lines of a backup history file', () => {
    const history = `${LABEL}STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)\nSTOP TIME: 2024-01-28 14:00:09 UTC\nSTOP TIMELINE: 1\n`;
    expect(parseBackupLabel(history)).toMatchObject({ stopTime: new Date('2024-01-28T14:00:09Z'), stopWalLocation: '0/2000100' });
  });

  test('a label without START TIMELINE (before PostgreSQL 11) takes the timeline from the segment name', () => {
    expect(parseBackupLabel('START WAL LOCATION: 0/A000028 (file 00000003000000000000000A)\n')?.timeline).toBe(3);
  });

  test('anything else is not a label', () => {
    expect(parseBackupLabel('hello\n')).toBeUndefined();
    expect(parseBackupLabel('')).toBeUndefined();
  });
});

describe('parseBackupTime', () => {
  test.each([
    ['2024-01-28 14:00:05 UTC', '2024-01-28T14:00:05.000Z'],
    ['2024-01-28 14:00:05 GMT', '2024-01-28T14:00:05.000Z'],
    ['2024-01-28 15:00:05 CET', '2024-01-28T14:00:05.000Z'],
    ['2024-07-28 16:00:05 CEST', '2024-07-28T14:00:05.000Z'],
    ['2024-01-28 09:00:05 EST', '2024-01-28T14:00:05.000Z'],
    ['2024-01-28 17:00:05 +03', '2024-01-28T14:00:05.000Z'],
    ['2024-01-28 10:30:05 -0330', '2024-01-28T14:00:05.000Z'],
  ])('%s', (text, iso) => {
    expect(parseBackupTime(text)?.toISOString()).toBe(iso);
  });

  test('an unknown zone abbreviation is not guessed', () => {
    expect(parseBackupTime('2024-01-28 14:00:05 IST')).toBeUndefined();
  });
});
