import { InvalidInputError } from '../../../src';
import { chooseLobMode, dmsTaskSettings, DMS_MAX_LOB_MAX_SIZE_KB } from '../../../src/aws';

const MB = 1024 * 1024;

test('limited LOB mode with room above the largest value, full LOB mode above the threshold or DMS\'s limit', () => {
  expect(chooseLobMode(0)).toEqual({ mode: 'limited', lobMaxSizeKb: 64 });
  expect(chooseLobMode(6 * MB)).toEqual({ mode: 'limited', lobMaxSizeKb: 12288 });
  expect(chooseLobMode(64 * MB, { headroomFactor: 1 })).toEqual({ mode: 'limited', lobMaxSizeKb: 65536 });
  expect(chooseLobMode(64 * MB)).toEqual({ mode: 'full' }); // 128 MB of headroom exceeds DMS's 100 MB
  expect(chooseLobMode(65 * MB, { headroomFactor: 1 })).toEqual({ mode: 'full' });
  expect(chooseLobMode(2 * MB, { thresholdBytes: MB })).toEqual({ mode: 'full' });
  const limited = chooseLobMode(49 * MB);
  expect(limited.mode === 'limited' && limited.lobMaxSizeKb <= DMS_MAX_LOB_MAX_SIZE_KB).toBe(true);
  expect(() => chooseLobMode(-1)).toThrow(InvalidInputError);
});

test('settings: DO_NOTHING into existing tables, explicit LOB mode, validation off, errors stop the task', () => {
  const limited = dmsTaskSettings({ lob: { mode: 'limited', lobMaxSizeKb: 12288 }, maxFullLoadSubTasks: 4 });
  expect(limited).toMatchObject({
    TargetMetadata: { SupportLobs: true, FullLobMode: false, LimitedSizeLobMode: true, LobMaxSize: 12288 },
    FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING', MaxFullLoadSubTasks: 4 },
    ValidationSettings: { EnableValidation: false },
    ErrorBehavior: { DataErrorPolicy: 'STOP_TASK', DataTruncationErrorPolicy: 'STOP_TASK', TableErrorPolicy: 'STOP_TASK' },
    Logging: { EnableLogging: false },
  });
  const full = dmsTaskSettings({ lob: { mode: 'full' }, maxFullLoadSubTasks: 100, logging: true });
  expect(full).toMatchObject({
    TargetMetadata: { FullLobMode: true, LobChunkSize: 64, LimitedSizeLobMode: false },
    FullLoadSettings: { MaxFullLoadSubTasks: 49 },
    Logging: { EnableLogging: true },
  });
});
