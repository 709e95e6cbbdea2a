import { X509Certificate } from 'node:crypto';
import { ConnectionError } from '../../src';
import { checkCredentials, rdsCaCertificates, rdsConnectionConfig, rdsTlsOptions } from '../../src/aws';
import { useLocalCluster } from '../support/postgres';

const commonName = (pem: string): string => /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? '';

describe('RDS certificate authorities shipped with the package', () => {
  const pems = rdsCaCertificates();
  const names = pems.map(commonName);

  test('every certificate parses and is a CA of Amazon RDS', () => {
    expect(pems.length).toBeGreaterThan(50);
    for (const pem of pems) {
      const cert = new X509Certificate(pem);
      expect(cert.ca).toBe(true);
      expect(cert.subject).toContain('OU=Amazon RDS');
    }
  });

  test('the rds-ca-rsa2048-g1, rsa4096-g1 and ecc384-g1 roots of the main regions are there', () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1']) {
      for (const kind of ['RSA2048', 'RSA4096', 'ECC384']) expect(names).toContain(`Amazon RDS ${region} Root CA ${kind} G1`);
    }
  });

  test('the roots are self-signed and valid far beyond today', () => {
    const root = pems.find((pem) => commonName(pem) === 'Amazon RDS eu-west-1 Root CA RSA2048 G1') as string;
    const cert = new X509Certificate(root);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(new Date(cert.validTo).getFullYear()).toBeGreaterThanOrEqual(2061);
  });

  test('RDS Proxy\'s public Amazon roots only on request', () => {
    expect(names).not.toContain('Amazon Root CA 1');
    expect(rdsCaCertificates({ includeRdsProxy: true }).map(commonName)).toEqual(expect.arrayContaining(['Amazon Root CA 1', 'Amazon Root CA 4']));
  });

  test('rdsTlsOptions verifies the server against them', () => {
    expect(rdsTlsOptions()).toEqual({ rejectUnauthorized: true, ca: pems });
  });
});

describe('rdsConnectionConfig', () => {
  const credentials = { username: 'owner', password: 'pw-tls-9Zr' };

  test('verify-full with the RDS CAs by default, as given otherwise', () => {
    expect(rdsConnectionConfig({ host: 'db.abc.eu-west-1.rds.amazonaws.com', credentials })).toEqual({
      host: 'db.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'postgres',
      user: 'owner',
      password: 'pw-tls-9Zr',
      ssl: rdsTlsOptions(),
      connectionTimeoutMillis: 15_000,
    });
    expect(rdsConnectionConfig({ host: 'h', port: 6432, database: 'tenant_a', credentials, tls: false })).toMatchObject({ port: 6432, database: 'tenant_a', ssl: false });
    const custom = { rejectUnauthorized: true, servername: 'db.abc.eu-west-1.rds.amazonaws.com' };
    expect(rdsConnectionConfig({ host: '127.0.0.1', credentials, tls: custom }).ssl).toBe(custom);
  });

  describe('against a server without TLS', () => {
    const cluster = useLocalCluster({ password: 'pw-super-4Lm' });

    test('the default never falls back to an unencrypted login', async () => {
      const config = rdsConnectionConfig({ host: cluster().host, port: cluster().port, credentials: { username: 'postgres', password: 'pw-super-4Lm' } });
      const err = await checkCredentials(config).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/does not support SSL/);
      expect((err as Error).message).not.toContain('pw-super-4Lm');
    });

    test('tls: false logs in', async () => {
      const config = rdsConnectionConfig({ host: cluster().host, port: cluster().port, credentials: { username: 'postgres', password: 'pw-super-4Lm' }, tls: false });
      expect(await checkCredentials(config)).toBe('accepted');
    });
  });
});
