/**
 * PostgreSQL's table lock modes, weakest first (https://www.postgresql.org/docs/15/explicit-locking.html).
 * The builds take: ACCESS SHARE (a plain read, such as a checksum), SHARE (CREATE INDEX), SHARE ROW
 * EXCLUSIVE (ADD FOREIGN KEY, on both tables), ACCESS EXCLUSIVE (any other ALTER TABLE, ATTACH).
 */
export const LOCK_MODES = [
  'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
] as const;

export type LockMode = typeof LOCK_MODES[number];

// PostgreSQL's conflict table: what each mode conflicts with (lock.c's LockConflicts, the docs' table 13.2).
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'EXCLUSIVE': ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

/** Whether two sessions may not hold these modes on one relation at once. */
export function locksConflict(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** Whether every mode that conflicts with `weaker` conflicts with `stronger` too. */
function covers(stronger: LockMode, weaker: LockMode): boolean {
  return CONFLICTS[weaker].every((m) => locksConflict(stronger, m));
}

/**
 * Orders builds by the locks they take: a build follows every earlier build of a relation it shares
 * whose mode conflicts, so PostgreSQL never makes one wait for another. Lists stay short: a build
 * replaces, in its relation's list, the earlier ones it follows and whose conflicts its own cover
 * (anything that would follow them follows it), so an ACCESS EXCLUSIVE build is a barrier; and a
 * build does not list one it already follows through another.
 *
 * @example
 * const order = new LockOrder();
 * order.place(0, new Map([[table, 'SHARE']]));            // []
 * order.place(1, new Map([[table, 'SHARE']]));            // [] — two CREATE INDEX side by side
 * order.place(2, new Map([[table, 'ACCESS SHARE']]));     // [] — a read waits for neither
 * order.place(3, new Map([[table, 'ACCESS EXCLUSIVE']])); // [0, 1, 2]
 */
export class LockOrder {
  private readonly holders = new Map<string, Array<{ id: number; mode: LockMode }>>();
  private readonly follows = new Map<number, readonly number[]>();

  /** The builds (ids) one taking these locks must follow; then it is one of the holders. */
  place(id: number, locks: ReadonlyMap<string, LockMode>): number[] {
    const conflicting = new Set<number>();
    for (const [relation, mode] of locks) {
      const list = this.holders.get(relation) ?? [];
      const followed = list.filter((h) => locksConflict(mode, h.mode));
      followed.forEach((h) => conflicting.add(h.id));
      const kept = list.filter((h) => !followed.includes(h) || !covers(mode, h.mode));
      this.holders.set(relation, [...kept, { id, mode }]);
    }
    const after = [...conflicting].filter((a) => ![...conflicting].some((b) => b !== a && this.precedes(a, b))).sort((a, b) => a - b);
    this.follows.set(id, after);
    return after;
  }

  /** Whether build `a` comes before build `b` through what `b` follows. */
  private precedes(a: number, b: number): boolean {
    const seen = new Set<number>();
    const todo = [...this.follows.get(b) ?? []];
    for (let x = todo.pop(); x !== undefined; x = todo.pop()) {
      if (x === a) return true;
      if (x < a || seen.has(x)) continue; // ids grow in placing order: nothing before a leads to it
      seen.add(x);
      todo.push(...this.follows.get(x) ?? []);
    }
    return false;
  }
}
