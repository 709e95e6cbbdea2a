import { checkTargetReached, explainRecoveryLog, RecoveryFacts } from '../../../src/sources/pitr/recovery-errors';

const facts: RecoveryFacts = {
  baseBackup: '/backups/base',
  walArchive: '/backups/wal',
  targetTime: new Date('2024-01-28T14:30:00Z'),
  startWalFile: '000000010000000000000002',
  startTime: new Date('2024-01-28T14:00:05Z'),
};

const log = (line: string): string => `2024-01-28 15:00:00.000 UTC [10] LOG:  starting point-in-time recovery to 2024-01-28 14:30:00+00\n${line}\n` +
  '2024-01-28 15:00:00.100 UTC [9] LOG:  database system is shut down\n';

describe('explainRecoveryLog', () => {
  test('recovery that ran out of WAL before the target: TARGET_BEYOND_WAL, naming the last archived transaction', () => {
    const err = explainRecoveryLog(log('2024-01-28 15:00:00.050 UTC [10] LOG:  last completed transaction was at log time 2024-01-28 14:20:01.123456+00\n' +
      '2024-01-28 15:00:00.050 UTC [10] FATAL:  recovery ended before configured recovery target was reached'), facts);
    expect(err?.code).toBe('TARGET_BEYOND_WAL');
    expect(err?.message).toBe('the WAL archive /backups/wal ends before 2024-01-28T14:30:00Z: the last archived transaction is from 2024-01-28T14:20:01.123Z; ' +
      'choose an earlier --at, or archive the current WAL (SELECT pg_switch_wal()) and retry');
  });

  test('a hole in the archive: WAL_GAP naming the missing segment, whether replay stopped before the target or before consistency', () => {
    const holed = { ...facts, walGap: { missing: '000000010000000000000004', before: '000000010000000000000003', after: '000000010000000000000005' } };
    const beyond = explainRecoveryLog(log('FATAL:  recovery ended before configured recovery target was reached'), holed);
    expect(beyond?.code).toBe('WAL_GAP');
    expect(beyond?.message).toBe('the WAL archive /backups/wal lacks the segment 000000010000000000000004 (it holds 000000010000000000000003 before it and ' +
      '000000010000000000000005 after it), so replay stops there, before 2024-01-28T14:30:00Z; copy 000000010000000000000004 into the archive ' +
      "(from another copy of it, or the server's pg_wal if it is still there), or choose an earlier --at");
    const early = explainRecoveryLog(log('FATAL:  WAL ends before end of online backup'), holed);
    expect(early?.code).toBe('WAL_GAP');
    expect(early?.message).toMatch(/lacks the segment 000000010000000000000004 .*, so replay stops there, before the base backup of 2024-01-28T14:00:05Z is consistent; /);
    expect(checkTargetReached('LOG:  database system is ready to accept connections', holed)?.code).toBe('WAL_GAP');
  });

  test('a target before the backup became consistent: TARGET_BEFORE_BACKUP', () => {
    const err = explainRecoveryLog(log('FATAL:  requested recovery stop point is before consistent recovery point'), facts);
    expect(err?.code).toBe('TARGET_BEFORE_BACKUP');
    expect(err?.message).toMatch(/^cannot recover to 2024-01-28T14:30:00Z: the base backup of 2024-01-28T14:00:05Z \(\/backups\/base\) was started at 2024-01-28T14:00:05Z and became consistent only later; choose --at after the backup finished or an older base backup$/);
  });

  test('WAL missing between the backup start and its end: WAL_MISSING', () => {
    expect(explainRecoveryLog(log('FATAL:  WAL ends before end of online backup'), facts)?.code).toBe('WAL_MISSING');
    expect(explainRecoveryLog(log('PANIC:  could not locate required checkpoint record'), facts)?.code).toBe('WAL_MISSING');
  });

  test('anything else is left to the caller', () => {
    expect(explainRecoveryLog(log('FATAL:  could not map anonymous shared memory'), facts)).toBeUndefined();
  });
});

describe('checkTargetReached', () => {
  test('a promotion without "recovery stopping" (PostgreSQL 12 at the end of the archive) did not reach the target', () => {
    expect(checkTargetReached(log('LOG:  recovery stopping before commit of transaction 725, time 2024-01-28 14:30:00.5+00'), facts)).toBeUndefined();
    expect(checkTargetReached(log('LOG:  redo done at 0/5016070'), facts)?.code).toBe('TARGET_BEYOND_WAL');
  });
});
