import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolateRecoveryDataDir, recoverySettings, walRestoreCommand } from '../../../src/sources/pitr/recovery-config';

describe('walRestoreCommand', () => {
  test('quotes the archive for the shell and doubles % for the server', () => {
    expect(walRestoreCommand('/backups/wal')).toBe('cp \'/backups/wal/%f\' "%p"');
    expect(walRestoreCommand("/b/it's 100%")).toBe('cp \'/b/it\'\\\'\'s 100%%/%f\' "%p"');
  });

  test('the shell sees the path unchanged once the server has expanded %f and %%', () => {
    const dir = mkdtempSync(join(tmpdir(), "pgsr-restore-cmd-it's $HOME 100%f-"));
    try {
      writeFileSync(join(dir, '000000010000000000000001'), 'wal');
      // %p is relative to the data directory: pg_wal/RECOVERYXLOG
      const expanded = walRestoreCommand(dir).replace(/%(%|f|p)/g, (_, c: string) => ({ '%': '%', 'f': '000000010000000000000001', 'p': 'copy' }[c]!));
      execFileSync('/bin/sh', ['-c', expanded], { cwd: dir });
      expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe('wal');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('recoverySettings', () => {
  test('targets the time with an explicit UTC offset, promotes, and cuts every tie to production', () => {
    expect(recoverySettings({ walArchive: '/w', targetTime: new Date('2024-01-28T14:30:00.250Z') })).toMatchObject({
      recovery_target_time: '2024-01-28T14:30:00.250+00:00',
      recovery_target_action: 'promote',
      archive_mode: false,
      primary_conninfo: '',
      ssl: false,
      hot_standby: false,
    });
  });
});

describe('isolateRecoveryDataDir', () => {
  test('keeps the backed-up configuration aside, drops standby.signal, adds recovery.signal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsr-isolate-'));
    try {
      writeFileSync(join(dir, 'postgresql.auto.conf'), "primary_conninfo = 'host=prod'\n");
      writeFileSync(join(dir, 'standby.signal'), '');
      isolateRecoveryDataDir(dir);
      expect(readFileSync(join(dir, 'postgresql.auto.conf.from-backup'), 'utf8')).toMatch(/host=prod/);
      expect(readFileSync(join(dir, 'postgresql.auto.conf'), 'utf8')).not.toMatch(/primary_conninfo/);
      expect(existsSync(join(dir, 'standby.signal'))).toBe(false);
      expect(existsSync(join(dir, 'recovery.signal'))).toBe(true);
      expect(existsSync(join(dir, 'postgresql.conf.from-backup'))).toBe(false); // a Debian-style backup has none
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
