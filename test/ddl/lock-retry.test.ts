import { lockTimeoutError } from '../../src/ddl/lock-retry';
import { LockTimeoutError } from '../../src/errors';

const holder = { pid: 42, user: 'app', application: 'psql', state: 'idle in transaction', since: '2026-11-28T01:00:00.000Z', mode: 'AccessExclusiveLock', relation: 'app.t', query: 'LOCK TABLE app.t' };

describe('lockTimeoutError: the one wording of a lock wait given up', () => {
  test('defaults: a lock on the object, the --lock-timeout advice; the error carries the object, the holders and the cause', () => {
    const cause = new Error('canceling statement due to lock timeout');
    const err = lockTimeoutError({ action: 'adding foreign key f', object: 'public.regions', timeoutMs: 2000, tries: 5, holders: [holder], cause });
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(err.message).toBe('adding foreign key f needs a lock on public.regions, which could not be had within 2.0 s in 5 tries: held by pid 42 (user app, psql, ' +
      'idle in transaction since 2026-11-28T01:00:00.000Z, AccessExclusiveLock on app.t, last ran: LOCK TABLE app.t); end or commit that session, or retry with a longer --lock-timeout');
    expect(err).toMatchObject({ code: 'LOCK_TIMEOUT', object: 'public.regions', holders: [holder], cause });
  });

  test('what it needs, the option and the advice are the caller\'s', () => {
    expect(lockTimeoutError({ action: 'backing up schema s', needs: 'a lock on the tables of schema s', object: 's', timeoutMs: 300, tries: 3, holders: [], option: '--lock-wait-timeout' }).message)
      .toBe('backing up schema s needs a lock on the tables of schema s, which could not be had within 300 ms in 3 tries: no session holds it any longer; ' +
        'end or commit that session, or retry with a longer --lock-wait-timeout');
    expect(lockTimeoutError({ action: 'swapping "a" with "b"', needs: 'every table of both locked', object: 'a', timeoutMs: 100, tries: 5, holders: [], advice: 'run the swap again' }).message)
      .toBe('swapping "a" with "b" needs every table of both locked, which could not be had within 100 ms in 5 tries: no session holds it any longer; run the swap again');
  });
});
