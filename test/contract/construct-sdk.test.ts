import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { HANDLER_NAMES } from '../../construct/src/restore-functions';
import * as construct from '../../construct/src/restore-permissions';
import { createTemporarySecret, RESTORE_ID_TAG, restoreTags, temporaryIdentifier } from '../../src/aws';
import { OWNER_TAG } from '../../src/handlers/start-temporary.lambda';

/**
 * The construct may import only aws-cdk-lib and constructs, so it repeats the names the SDK's handlers
 * use at run time; its IAM conditions and resource patterns only work while both say the same.
 */
const ROOT = join(__dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

describe('the construct and the SDK agree', () => {
  test('on the tags its IAM conditions test: the restore id the SDK puts on everything, the owner its handler adds', () => {
    expect(construct.RESTORE_ID_TAG).toBe(RESTORE_ID_TAG);
    expect(restoreTags({ restoreId: 'r1', now: new Date() }).map((t) => t.Key)).toContain(construct.RESTORE_ID_TAG);
    expect(construct.OWNER_TAG).toBe(OWNER_TAG);
  });

  test('on the prefix of temporary databases, which its RDS permissions are limited to', () => {
    for (const id of [temporaryIdentifier('3F2A_91'), temporaryIdentifier('r1', '1'), temporaryIdentifier('x'.repeat(80))]) {
      expect(id.startsWith(construct.TEMPORARY_PREFIX)).toBe(true);
    }
  });

  test('on the prefix of temporary secrets, which its Secrets Manager permissions are limited to', async () => {
    const mock = mockClient(SecretsManagerClient);
    mock.on(CreateSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-schema-restore/x-AbCdEf' });
    try {
      await createTemporarySecret({
        host: 'pgsr-r1.rds',
        port: 5432,
        database: 'tenants',
        credentials: { username: 'u', password: 'p' },
        client: new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }),
        restoreId: 'r1',
      });
      expect(mock.commandCalls(CreateSecretCommand)[0].args[0].input.Name).toMatch(new RegExp(`^${construct.TEMPORARY_SECRET_PREFIX}[^/]+$`));
    } finally {
      mock.restore();
    }
  });

  test('on the handlers: the construct\'s list, the SDK\'s *.lambda.ts files and the bundle task name the same ones', () => {
    const sdkHandlers = readdirSync(join(ROOT, 'src', 'handlers')).filter((f) => f.endsWith('.lambda.ts')).map((f) => f.replace(/\.lambda\.ts$/, ''));
    const bundled = [...read('.projen', 'tasks.json').matchAll(/handlers\/([a-z-]+)\/index=src\/handlers\/\1\.lambda\.ts/g)].map((m) => m[1]);
    expect([...HANDLER_NAMES].sort()).toEqual(sdkHandlers.sort());
    expect(bundled.sort()).toEqual(sdkHandlers.sort());
  });

  test.each(HANDLER_NAMES)('the handler %s exports the `handler` function the construct\'s functions call (index.handler)', async (name) => {
    const module = await import(`../../src/handlers/${name}.lambda`) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  test('on the task programs: every program a task definition or the image starts is one the bundle task puts in the image', () => {
    const bundled = new Set([...read('.projen', 'tasks.json').matchAll(/image\/bundle\/([a-z-]+)=src\//g)].map((m) => m[1]));
    const constructSources = readdirSync(join(ROOT, 'construct', 'src')).map((f) => read('construct', 'src', f)).join('\n');
    const started = [
      ...[...constructSources.matchAll(/\$\{PROGRAMS\}\/([a-z-]+)\.js/g)].map((m) => m[1]),
      ...[...read('construct', 'assets', 'image', 'Dockerfile').matchAll(/ENTRYPOINT \["node", "\/opt\/pg-schema-restore\/([a-z-]+)\.js"\]/g)].map((m) => m[1]),
    ];
    expect(started.sort()).toEqual(['backup-task', 'drill-task', 'restore-task']);
    expect(started.filter((program) => !bundled.has(program))).toEqual([]);
  });

  test('on the environment: every variable a handler or the restore task reads is one the construct sets', () => {
    const handlerSources = readdirSync(join(ROOT, 'src', 'handlers')).filter((f) => f.endsWith('.ts')).map((f) => read('src', 'handlers', f)).join('\n');
    const readBySdk = new Set([
      ...[...handlerSources.matchAll(/requiredEnv\([\w.]+, '([A-Z][A-Z0-9_]*)'\)/g)].map((m) => m[1]),
      ...[...handlerSources.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    ]);
    const constructSources = readdirSync(join(ROOT, 'construct', 'src')).map((f) => read('construct', 'src', f)).join('\n');
    const setByConstruct = new Set([...constructSources.matchAll(/\b([A-Z][A-Z0-9_]*[A-Z0-9])\b(?=['"]?\s*[:,])/g)].map((m) => m[1]));
    expect(readBySdk.size).toBeGreaterThan(10);
    expect([...readBySdk].filter((name) => !setByConstruct.has(name)).sort()).toEqual([]);
  });
});
