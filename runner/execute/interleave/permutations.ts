/**
 * Every order of an interleaving's statements that keeps each session's own statements in sequence, in
 * the order PostgreSQL's isolation tester runs them when a spec lists no permutation: take the next
 * statement of the first session that has one left, recurse, then try the next session.
 */
export const allPermutations = (sessions: readonly (readonly string[])[]): string[][] => {
  const out: string[][] = [];
  const taken = sessions.map(() => 0);
  const order: string[] = [];
  const recurse = (): void => {
    let found = false;
    for (const [i, statements] of sessions.entries()) {
      if (taken[i]! >= statements.length) continue;
      found = true;
      order.push(statements[taken[i]!]!);
      taken[i]!++;
      recurse();
      taken[i]!--;
      order.pop();
    }
    if (!found) out.push([...order]);
  };
  recurse();
  return out;
};
