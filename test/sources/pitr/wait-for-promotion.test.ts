import { chownSync, writeFileSync } from 'node:fs';
import { AbortedError } from '../../../src/errors';
import { LocalCluster, postgresOsUser, startLocalCluster } from '../../../src/local';
import { findPostgresBinaries } from '../../../src/local/postgres-binaries';
import { runTool } from '../../../src/run-tool';
import { checkPromotion, waitForPromotion } from '../../../src/sources/pitr/wait-for-promotion';

let standby: LocalCluster;

/** A real server that stays in recovery: a fresh data directory started in standby mode, with no primary and no archive to follow. */
beforeAll(async () => {
  const osUser = postgresOsUser();
  standby = await startLocalCluster({
    prepareDataDir: async (dataDir) => {
      if (osUser) chownSync(dataDir, osUser.uid, osUser.gid);
      await runTool(findPostgresBinaries().path('initdb'), ['-D', dataDir, '-U', 'postgres', '--no-sync', '--auth=peer'],
        { uid: osUser?.uid, gid: osUser?.gid, cwd: '/' });
      writeFileSync(`${dataDir}/standby.signal`, '');
    },
  });
}, 120_000);

afterAll(async () => {
  await standby?.stop();
});

describe('waitForPromotion', () => {
  test('the standby is seen as recovering', async () => {
    expect(await checkPromotion(standby)).toBe('recovering');
  });

  test('an abort in the middle of a sleep ends the wait at once, even when the sleep itself never ends', async () => {
    const controller = new AbortController();
    const sleeps: number[] = [];
    await expect(waitForPromotion({
      cluster: standby,
      signal: controller.signal,
      sleep: (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) setTimeout(() => controller.abort(), 20);
        return sleeps.length === 3 ? new Promise<void>(() => undefined) : Promise.resolve();
      },
    })).rejects.toBeInstanceOf(AbortedError);
    expect(sleeps).toEqual([50, 75, 112.5]);
  });

  test('an abort during the default sleep ends the wait promptly, not after the (1 s) sleep', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    let clockReads = 0;
    await expect(waitForPromotion({
      cluster: standby,
      signal: controller.signal,
      // The clock is read once at the start and once after each look: after the 9th look comes a sleep of 1 s (50 × 1.5⁸ > 1000).
      now: () => {
        if (++clockReads === 10) {
          setTimeout(() => {
            abortedAt = Date.now();
            controller.abort();
          }, 20);
        }
        return Date.now();
      },
    })).rejects.toBeInstanceOf(AbortedError);
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(300);
  });

  test('the deadline ends the wait with a ToolError', async () => {
    await expect(waitForPromotion({ cluster: standby, timeoutMs: 300 })).rejects.toThrow(/^recovery did not finish within /);
  });
});
