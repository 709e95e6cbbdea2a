import { SecretVersion } from './secret-versions';
import { InvalidInputError } from '../errors';

/** Options of {@link chooseSecretVersions}. */
export interface ChooseSecretVersionsOptions {
  /** Name or ARN of the secret, for messages. */
  readonly secretId: string;
  readonly versions: readonly SecretVersion[];
  /** The restore time: the credentials must be those the database accepted then. */
  readonly at: Date;
}

const PENDING = 'AWSPENDING';

/** A version still labelled only AWSPENDING belongs to a rotation that has not finished: it was never current. */
function unfinishedRotation(version: SecretVersion): boolean {
  return version.stages.length > 0 && version.stages.every((stage) => stage === PENDING);
}

/** Among versions created at the same instant, the one labelled current now is the likelier one. */
function labelRank(version: SecretVersion): number {
  if (version.stages.includes('AWSCURRENT')) return 0;
  if (version.stages.includes('AWSPREVIOUS')) return 1;
  return version.stages.length > 0 ? 2 : 3;
}

/**
 * The versions of a secret that may hold the credentials valid at `at`, most likely first: the
 * first is the version that was current at `at`, the others are older fallbacks.
 *
 * Secrets Manager records when each version was created, not when it became current, and moves
 * its labels on at every rotation, so the labels of today say little about `at`. The rule:
 * - a version created after `at` did not exist yet: never a candidate;
 * - a version labelled only `AWSPENDING` is a rotation that has not finished and was never
 *   current (a pending version that was promoted carries `AWSCURRENT` or lost its labels later);
 * - deprecated versions (no labels, listed with `IncludeDeprecated`) were current once: candidates;
 * - the newest remaining version is the one that was current at `at`, since each rotation makes the
 *   version it creates current.
 *
 * Two cases make the first candidate wrong, which is why callers verify and fall back to older ones:
 * `at` fell between a rotation's creating its version and promoting it (seconds to minutes), or a
 * failed rotation's abandoned pending version has since lost its label and looks deprecated.
 *
 * @example
 * const [current, ...older] = chooseSecretVersions({ secretId: 'prod/db', versions, at: new Date('2024-01-28T14:30:00Z') });
 */
export function chooseSecretVersions(options: ChooseSecretVersionsOptions): SecretVersion[] {
  const { secretId, versions, at } = options;
  const candidates = versions
    .filter((v) => v.createdDate.getTime() <= at.getTime() && !unfinishedRotation(v))
    .sort((a, b) => b.createdDate.getTime() - a.createdDate.getTime() || labelRank(a) - labelRank(b));
  if (candidates.length > 0) return candidates;
  if (versions.length === 0) {
    throw new InvalidInputError(`secret "${secretId}" has no versions; store the database credentials in it, or restore with credentials given directly`,
      { code: 'SECRET_TOO_NEW' });
  }
  const oldest = versions.reduce((a, b) => (b.createdDate < a.createdDate ? b : a));
  const onlyPending = oldest.createdDate.getTime() <= at.getTime() ? ' other than unfinished rotations (AWSPENDING)' : '';
  throw new InvalidInputError(`secret "${secretId}" has no version${onlyPending} created on or before ${at.toISOString()} ` +
    `(oldest is from ${oldest.createdDate.toISOString()}); restore to a later time, or pass credentials that were valid then`, { code: 'SECRET_TOO_NEW' });
}
