import { libpqEnv } from '../src/connection';
import { runTool } from '../src/run-tool';

describe('runTool', () => {
  test('a resolved connection (libpqEnv) is not overridden by an inherited PGSERVICE; other runs inherit it', async () => {
    const saved = process.env.PGSERVICE;
    process.env.PGSERVICE = 'inherited';
    try {
      const env = libpqEnv('host=db.internal port=5433 user=app dbname=tenant_a sslmode=disable', { env: { PGPASSFILE: '/nonexistent' } });
      const withConnection = await runTool('sh', ['-c', 'echo "${PGSERVICE-unset} $PGHOST $PGPORT $PGDATABASE"'], { env });
      expect(withConnection.stdout).toBe('unset db.internal 5433 tenant_a\n');
      const plain = await runTool('sh', ['-c', 'echo "${PGSERVICE-unset}"']);
      expect(plain.stdout).toBe('inherited\n');
    } finally {
      if (saved === undefined) delete process.env.PGSERVICE;
      else process.env.PGSERVICE = saved;
    }
  });
});
