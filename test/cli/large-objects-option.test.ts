import { runCli } from '../../src/cli/program';
import { formatRestoreSummary } from '../../src/cli/restore-summary';
import { fakeCli, sampleReport, scriptedRestore } from '../support/cli';

const base = ['restore', '--source', 'postgres://db.internal/past', '--target', 'postgres://db.internal/live', '--schema', 'customer_a1'];

describe('large objects on the command line', () => {
  test('--no-large-objects asks the restore to leave them out; by default they are copied', async () => {
    for (const [argv, expected] of [[[...base, '--no-large-objects'], true], [base, undefined]] as const) {
      const cli = fakeCli(scriptedRestore());
      expect(await runCli([...argv], cli.deps)).toBe(0);
      expect(cli.calls[0].noLargeObjects).toBe(expected);
    }
    const help = fakeCli(scriptedRestore());
    await runCli(['restore', '--help'], help.deps);
    expect(help.stdout.text).toContain('--no-large-objects');
  });

  test('the summary says how many large objects and bytes were copied, and nothing when there were none', () => {
    expect(formatRestoreSummary(sampleReport({ largeObjects: { count: 3, bytes: 2_500_000 } }))).toContain('\n  3 large objects (2.5 MB) copied for the restored rows\n');
    expect(formatRestoreSummary(sampleReport())).not.toContain('large object');
  });
});
