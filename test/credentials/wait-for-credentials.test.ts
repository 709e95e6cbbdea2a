import { SchemaRestoreError } from '../../src';
import { rdsConnectionConfig, waitForCredentials } from '../../src/aws';
import { freePort } from '../../src/local';

const credentials = { username: 'owner', password: 'pw-wait-8Nc' };

async function failure(promise: Promise<unknown>): Promise<SchemaRestoreError> {
  return promise.then(() => {
    throw new Error('expected a failure');
  }, (err) => err as SchemaRestoreError);
}

describe('waitForCredentials', () => {
  test('a server that refuses connections is waited for, with backoff, until the deadline', async () => {
    const connection = rdsConnectionConfig({ host: '127.0.0.1', port: await freePort(), credentials, tls: false });
    let clock = 0;
    const sleeps: number[] = [];
    const err = await failure(waitForCredentials({
      connection,
      what: 'the new master password of DB instance "pgsr-r-1"',
      timeoutMs: 60_000,
      now: () => new Date(clock),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    }));
    expect(err.code).toBe('CREDENTIALS_TIMEOUT');
    expect(err.message).toBe('the new master password of DB instance "pgsr-r-1" was not accepted within 1 min 00 s; check the database\'s status in the RDS console and retry');
    expect(sleeps.slice(0, 3)).toEqual([1000, 1500, 2250]);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(15_000);
    expect(clock).toBeLessThanOrEqual(60_000);
  });

  test('an abort ends the wait', async () => {
    const connection = rdsConnectionConfig({ host: '127.0.0.1', port: await freePort(), credentials, tls: false });
    const controller = new AbortController();
    const err = await failure(waitForCredentials({ connection, what: 'x', signal: controller.signal, sleep: async () => controller.abort() }));
    expect(err.code).toBe('ABORTED');
  });
});
