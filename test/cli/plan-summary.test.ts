import { formatPlan } from '../../src/cli/plan-summary';
import { RestorePlan } from '../../src/plan-restore';

const plan: RestorePlan = {
  source: 'RDS instance "prod-db"',
  restorePoint: '2024-01-28T14:30:00.000Z',
  target: 'postgres://admin:***@db/tenant_a',
  schemas: [{ source: 'customer_a1', restored: 'customer_a1_20240128143000' }],
  tablesUnknownReason: 'listed once the temporary RDS database exists (a dry run creates nothing)',
  steps: ['restore RDS instance "prod-db"', 'copy'],
  warnings: [],
  resources: [
    { kind: 'rds-instance', name: 'pgsr-restore-id', detail: 'db.r6g.large, private, Single-AZ, tagged', usdPerHour: 0.258, costBasis: 'db.r6g.large, PostgreSQL, Single-AZ, eu-west-1' },
    { kind: 'secret', name: 'pg-schema-restore/<random>', detail: 'login for the temporary host, tagged', costBasis: 'billed per month, deleted within the hour' },
  ],
};

test('a dry run of a cloud source lists the AWS resources with their hourly price and the total', () => {
  const lines = formatPlan(plan).split('\n');
  expect(lines).toContain('      tables: listed once the temporary RDS database exists (a dry run creates nothing)');
  expect(lines).toContain('  AWS resources created while the restore runs (all deleted at its end):');
  expect(lines).toContain('    rds-instance pgsr-restore-id       db.r6g.large, private, Single-AZ, tagged; ~$0.258/hour (db.r6g.large, PostgreSQL, Single-AZ, eu-west-1)');
  expect(lines).toContain('    secret pg-schema-restore/<random>  login for the temporary host, tagged; billed per month, deleted within the hour');
  expect(lines).toContain('    estimated total: ~$0.258/hour on demand, compute only');
  expect(formatPlan({ ...plan, resources: [] })).not.toContain('AWS resources');
});
