/**
 * A stale edit: someone saved the bulletin after this person opened it. Their changes are laid
 * over the server's version field by field; where both changed the same field differently the
 * person's text wins in the form and the server's is shown beside it, so nothing is lost.
 */
export interface Merged<T> {
  merged: T;
  /** Fields both sides changed, differently. */
  conflicts: (keyof T)[];
  /** Fields only the other person changed (taken from the server). */
  theirs: (keyof T)[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function mergeDraft<T extends object>(base: T, mine: T, server: T): Merged<T> {
  const merged = { ...server };
  const conflicts: (keyof T)[] = [];
  const theirs: (keyof T)[] = [];
  for (const key of Object.keys(mine) as (keyof T)[]) {
    const iChanged = !same(mine[key], base[key]);
    const theyChanged = !same(server[key], base[key]);
    if (iChanged) merged[key] = mine[key];
    if (iChanged && theyChanged && !same(mine[key], server[key])) conflicts.push(key);
    if (!iChanged && theyChanged) theirs.push(key);
  }
  return { merged, conflicts, theirs };
}
