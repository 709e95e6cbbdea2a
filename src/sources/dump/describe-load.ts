/** The schemas a load restores: those asked for and those their DDL depends on. */
export interface LoadedSchemas {
  readonly requested: readonly string[];
  readonly dependencies: readonly string[];
}

/**
 * The schemas a throwaway server receives, for progress messages.
 *
 * @example
 * describeLoadedSchemas({ requested: ['customer_a1'], dependencies: ['public'] }); // 'customer_a1 (and public, which it depends on)'
 */
export function describeLoadedSchemas(plan: LoadedSchemas): string {
  const what = plan.requested.join(', ');
  if (plan.dependencies.length === 0) return what;
  return `${what} (and ${plan.dependencies.join(', ')}, which ${plan.requested.length === 1 ? 'it depends' : 'they depend'} on)`;
}

/**
 * The log line saying which placeholder roles were created on the throwaway server, or undefined when none were.
 *
 * @example
 * describeCreatedRoles(['app_owner'], "the dump's"); // 'created role "app_owner" (NOLOGIN) on the throwaway server for the dump\'s owners and grants'
 */
export function describeCreatedRoles(createdRoles: readonly string[], whose: string): string | undefined {
  if (createdRoles.length === 0) return undefined;
  const names = createdRoles.map((r) => `"${r}"`).join(', ');
  return `created role${createdRoles.length > 1 ? 's' : ''} ${names} (NOLOGIN) on the throwaway server for ${whose} owners and grants`;
}

/**
 * The log line of a table-level load: which tables' rows were not loaded into the throwaway server.
 *
 * @example
 * describeSkippedData(['customer_a1.events']); // 'loaded only the rows the chosen tables need: not those of customer_a1.events'
 */
export function describeSkippedData(skipped: readonly string[]): string {
  if (skipped.length === 0) return 'loaded the rows of every table: the chosen tables need them all';
  const shown = skipped.slice(0, 10).join(', ') + (skipped.length > 10 ? ` and ${skipped.length - 10} more` : '');
  return `loaded only the rows the chosen tables need: not those of ${shown}`;
}
