import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src';
import { lookupService, serviceFiles, serviceSection } from '../../src/connection/service-file';

describe('pg_service.conf', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsr-service-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('serviceSection reads one [section], skipping comments and blank lines; an unknown keyword is a syntax error with the line', () => {
    const text = '# services\n[other]\nhost=elsewhere\n\n[live]\nhost = db.internal\n# note\ndbname=tenant a\n[next]\nhost=x\n';
    expect(serviceSection(text, 'live', 'f')).toEqual({ host: 'db.internal', dbname: 'tenant a' });
    expect(serviceSection(text, 'missing', 'f')).toBeUndefined();
    expect(() => serviceSection('[live]\ncolour=blue\n', 'live', '/etc/pg_service.conf')).toThrow(/^syntax error in service file "\/etc\/pg_service.conf", line 2/);
  });

  test('the user file (servicefile=, PGSERVICEFILE, ~/.pg_service.conf) comes before PGSYSCONFDIR\'s, else pg_config\'s sysconfdir', () => {
    expect(serviceFiles({ env: { PGSERVICEFILE: '/a.conf', PGSYSCONFDIR: '/etc/pg' } })).toEqual(['/a.conf', '/etc/pg/pg_service.conf']);
    expect(serviceFiles({ env: { PGSERVICEFILE: '/a.conf' }, serviceFile: '/b.conf', sysconfdir: () => '/etc/postgresql-common' }))
      .toEqual(['/b.conf', '/etc/postgresql-common/pg_service.conf']);
    expect(serviceFiles({ env: {}, sysconfdir: () => undefined })).toEqual([expect.stringMatching(/\/\.pg_service\.conf$/)]);
  });

  test('lookupService takes the first file that defines the service; an unknown one names the service and every file searched', () => {
    const user = join(dir, 'user.conf');
    writeFileSync(user, '[live]\nhost=user-host\n');
    writeFileSync(join(dir, 'pg_service.conf'), '[live]\nhost=system-host\n[batch]\nhost=batch-host\n');
    const env = { PGSERVICEFILE: user, PGSYSCONFDIR: dir };
    expect(lookupService('live', { env })).toEqual({ host: 'user-host' });
    expect(lookupService('batch', { env })).toEqual({ host: 'batch-host' });
    let err: unknown;
    try {
      lookupService('nope', { env: { PGSERVICEFILE: join(dir, 'absent.conf'), PGSYSCONFDIR: dir } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toBe(`definition of service "nope" not found in ${join(dir, 'absent.conf')} or ${join(dir, 'pg_service.conf')}; ` +
      'define it there (or set PGSERVICEFILE to the file that has it)');
  });
});
