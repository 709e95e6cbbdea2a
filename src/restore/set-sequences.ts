import { RestoreRun, SchemaPlan, stagingMappings } from './restore-run';
import { copySequencePositions, CopiedSequence } from '../copy/sequence-positions';

/**
 * Step "sequences": every sequence of the staging schemas set to its position in the snapshot
 * (`setval(last_value, is_called)`).
 *
 * @example
 * const positions = await setSequences(run, plans);
 */
export async function setSequences(run: RestoreRun, plans: readonly SchemaPlan[]): Promise<CopiedSequence[]> {
  return run.step('sequences', 'setting sequence positions',
    () => copySequencePositions({ source: run.snapshot.client, target: run.target, schemas: stagingMappings(plans) }), (r) => `${r.length} sequences set`);
}
