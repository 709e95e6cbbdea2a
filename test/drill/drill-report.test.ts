import { drillMarkdown } from '../../src/drill/drill-markdown';
import { DrillReport, DrillTenant, drillVerdict } from '../../src/drill/drill-report';
import { pickTenants } from '../../src/drill/pick-tenants';

const HOUR = 3_600_000;

function tenant(schema: string, overrides: Partial<DrillTenant> = {}): DrillTenant {
  return { schema, restoredAs: `${schema}_drill_x`, verdict: 'pass', durationMs: 4_200, rows: 1_234, bytes: 98_000, archiveBytes: 20_000, problems: [], warnings: [], ...overrides };
}

function report(tenants: DrillTenant[], age = { ageMs: 2 * HOUR, maxAgeMs: 25 * HOUR }): DrillReport {
  return {
    date: '2026-11-27T20:00:00.000Z',
    finishedAt: '2026-11-27T20:00:09.000Z',
    durationMs: 9_000,
    backup: { location: 's3://backups/nightly/app/2026-11-27T180000Z/', database: 'app', snapshotAt: '2026-11-27T18:00:00.000Z', ...age, stale: age.ageMs > age.maxAgeMs },
    target: 'postgres://drill@scratch:5432/app',
    selection: 'all',
    tenants,
    ...drillVerdict(tenants, age),
  };
}

test('the verdict passes only when every tenant passed and the backup is young enough', () => {
  expect(drillVerdict([tenant('a'), tenant('b')], { ageMs: HOUR, maxAgeMs: 25 * HOUR })).toEqual({ verdict: 'pass', problems: [] });
  expect(drillVerdict([tenant('a')], { ageMs: HOUR })).toEqual({ verdict: 'pass', problems: [] });
  expect(drillVerdict([tenant('a'), tenant('b', { verdict: 'fail', problems: ['x'] })], { ageMs: HOUR })).toEqual({
    verdict: 'fail', problems: ['1 of 2 tenant(s) failed: b'],
  });
  expect(drillVerdict([tenant('a')], { ageMs: 26 * HOUR, maxAgeMs: 25 * HOUR })).toEqual({
    verdict: 'fail', problems: ['the backup is 26 h old, more than the 25 h allowed'],
  });
  expect(drillVerdict([], { ageMs: HOUR }).verdict).toBe('fail');
});

test('the Markdown report has the date, the backup, its age against the limit, and a row per tenant with duration and verdict', () => {
  const md = drillMarkdown(report([tenant('customer_a1'), tenant('customer_a2', { verdict: 'fail', durationMs: 850, rows: 0, bytes: 0, problems: ['table customer_a2.orders | bad'] })]));
  const lines = md.split('\n');
  expect(lines[0]).toBe('# Restore drill 2026-11-27');
  expect(md).toContain('**Verdict: FAIL** — 1 of 2 tenant(s) restored, validated and dropped.');
  expect(lines).toContain('| Backup | s3://backups/nightly/app/2026-11-27T180000Z/ |');
  expect(lines).toContain('| Snapshot (restore point) | 2026-11-27T18:00:00.000Z |');
  expect(lines).toContain('| Backup age (RPO) | 2 h (limit 25 h) |');
  expect(lines).toContain('| customer_a1 | pass | 4.2 s | 1,234 | 98.0 kB | 20.0 kB | — |');
  expect(lines).toContain('| customer_a2 | **FAIL** | 850 ms | 0 | 0 B | 20.0 kB | table customer_a2.orders \\| bad |');
  expect(md).toMatch(/## Problems\n\n- 1 of 2 tenant\(s\) failed: customer_a2\n$/);
});

test('a stale backup is marked in the report', () => {
  const md = drillMarkdown(report([tenant('customer_a1', { warnings: ['table customer_a1.cache is UNLOGGED'] })], { ageMs: 30 * HOUR, maxAgeMs: 25 * HOUR }));
  expect(md).toContain('| Backup age (RPO) | 30 h (limit 25 h: **exceeded**) |');
  expect(md).toContain('**Verdict: FAIL**');
  expect(md).toContain('- the backup is 30 h old, more than the 25 h allowed');
  expect(md).toContain('## Warnings\n\n- customer_a1: table customer_a1.cache is UNLOGGED');
});

test('tenants: all, named, or a random sample in the backup\'s order', () => {
  const all = ['a', 'b', 'c', 'd'];
  expect(pickTenants(all, {})).toEqual(all);
  expect(pickTenants(all, { schemas: ['c', 'a', 'c'] })).toEqual(['c', 'a']);
  expect(pickTenants(all, { sample: 2, random: () => 0.99 })).toEqual(['a', 'd']);
  expect(pickTenants(all, { sample: 2, random: () => 0 })).toEqual(['a', 'b']);
  expect(pickTenants(all, { sample: 9 })).toEqual(all);
  const seen = new Set(Array.from({ length: 50 }, () => pickTenants(all, { sample: 1 })[0]));
  expect(seen.size).toBeGreaterThan(1);
  expect(() => pickTenants(all, { sample: 0 })).toThrow(/--sample must be a positive whole number/);
  expect(() => pickTenants(all, { schemas: ['a'], sample: 1 })).toThrow(/not both/);
});
