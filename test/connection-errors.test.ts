import { ConnectionLostError } from '../src';
import { connect } from '../src/connection';
import { connectionLost } from '../src/connection-errors';
import { useLocalCluster } from './support/postgres';

const cluster = useLocalCluster();

describe('connectionLost names the session and the server\'s reason', () => {
  test('idle_in_transaction_session_timeout ended the session (25P03)', async () => {
    const client = await connect(cluster().url('postgres'), 'source', 'pg-schema-restore snapshot');
    try {
      await client.query("SET idle_in_transaction_session_timeout = '100ms'; BEGIN");
      await new Promise((resolve) => setTimeout(resolve, 400));
      const err = await client.query('SELECT 1').catch((e: Error) => e);
      const lost = connectionLost(err);
      expect(lost).toBeInstanceOf(ConnectionLostError);
      expect(lost?.code).toBe('CONNECTION_LOST');
      expect(lost?.message).toBe('the source snapshot session (application_name "pg-schema-restore snapshot") failed: ' +
        'idle_in_transaction_session_timeout ended it while it held its transaction open (25P03); ' +
        'set idle_in_transaction_session_timeout = 0 for the restoring role (ALTER ROLE … SET idle_in_transaction_session_timeout = 0), then run the restore again');
      expect(lost?.cause).toBe(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  test('statement_timeout (57014) is named; an ordinary SQL error is not a lost connection', async () => {
    const client = await connect(cluster().url('postgres'), 'target', 'pg-schema-restore validate');
    try {
      await client.query("SET statement_timeout = '50ms'");
      const timedOut = await client.query('SELECT pg_sleep(2)').catch((e: Error) => e);
      expect(connectionLost(timedOut)?.message).toBe('the target validation session (application_name "pg-schema-restore validate") failed: ' +
        'statement_timeout cancelled its statement (57014); raise statement_timeout for the restoring role (ALTER ROLE … SET statement_timeout = 0), then run the restore again');
      const wrapped = new Error('wrapper', { cause: timedOut });
      expect(connectionLost(wrapped)?.session).toBe('validation session');
      await client.query('RESET statement_timeout');
      expect(connectionLost(await client.query('SELECT 1/0').catch((e: Error) => e))).toBeUndefined();
      expect(connectionLost(new Error('Connection terminated unexpectedly'))).toBeUndefined(); // from no labelled session
    } finally {
      await client.end();
    }
  });
});
