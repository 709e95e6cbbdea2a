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
