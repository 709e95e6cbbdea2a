import { connect } from '../../src/connection';
import { configureTargetSession } from '../../src/ddl/target-session';
import { createDatabase, execSql, useLocalCluster } from '../support/postgres';

const cluster = useLocalCluster();

async function settingsAfter(url: string, lockTimeoutMs?: number): Promise<{ effective: number; lock: string; check: string }> {
  const client = await connect(url, 'target');
  try {
    const effective = await configureTargetSession(client, { lockTimeoutMs });
    const { rows } = await client.query("SELECT current_setting('lock_timeout') AS lock, current_setting('client_connection_check_interval') AS check");
    return { effective, ...rows[0] };
  } finally {
    await client.end();
  }
}

test('the restore sets its lock timeout and a connection check, and never loosens the database\'s own lock_timeout', async () => {
  const url = await createDatabase(cluster(), 'session_a');
  expect(await settingsAfter(url)).toEqual({ effective: 2000, lock: '2s', check: '1s' });
  expect(await settingsAfter(url, 700)).toEqual({ effective: 700, lock: '700ms', check: '1s' });
  await execSql(url, "ALTER DATABASE session_a SET lock_timeout = '250ms'");
  expect(await settingsAfter(url)).toEqual({ effective: 250, lock: '250ms', check: '1s' });
  await execSql(url, "ALTER DATABASE session_a SET lock_timeout = '10s'");
  expect(await settingsAfter(url, 400)).toEqual({ effective: 400, lock: '400ms', check: '1s' });
});
