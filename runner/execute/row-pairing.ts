/**
 * Which row goes with which, when two tables of rows are compared: a maximum matching (unordered), a
 * subsequence (ordered), and the closest pairs among the rows left over (to mark the cells that differ).
 * Knows nothing of cells: callers say which rows fit and how alike two rows are.
 */

/** [from, to) */
export const range = (from: number, to?: number): number[] => {
  const [start, end] = to === undefined ? [0, from] : [from, to];
  return Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);
};

/**
 * A maximum bipartite matching by augmenting paths (Kuhn): as many expected rows as possible each get their
 * own actual row. Greedy pairing fails when a matcher row takes the only row another expected row fits.
 */
export const maximumMatching = (n: number, m: number, fits: (i: number, j: number) => boolean): { actualOf: number[]; expectedOf: number[] } => {
  const actualOf = new Array<number>(n).fill(-1);
  const expectedOf = new Array<number>(m).fill(-1);
  const augment = (i: number, seen: Uint8Array): boolean => {
    for (let j = 0; j < m; j++) {
      if (seen[j] || !fits(i, j)) continue;
      seen[j] = 1;
      if (expectedOf[j] === -1 || augment(expectedOf[j]!, seen)) {
        expectedOf[j] = i;
        actualOf[i] = j;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < n; i++) augment(i, new Uint8Array(m));
  return { actualOf, expectedOf };
};

/** For each left item, the right position it takes in a left-to-right subsequence match (-1 if none). */
export const subsequence = (n: number, m: number, fits: (i: number, j: number) => boolean): number[] => {
  const placed: number[] = [];
  let j = 0;
  for (let i = 0; i < n; i++) {
    let k = j;
    while (k < m && !fits(i, k)) k++;
    if (k < m) {
      placed.push(k);
      j = k + 1;
    } else placed.push(-1);
  }
  return placed;
};

export type ClosestPairing = {
  /** The leftover rows of each side (only those a report shows: only they can be marked). */
  readonly left: readonly number[];
  readonly right: readonly number[];
  /** How many cells the two rows share. */
  readonly shared: (i: number, j: number) => number;
  /** A pair sharing fewer cells is no pair. */
  readonly minimum: number;
  /** Between equally close pairs, the side whose earlier rows pair first. */
  readonly ties: 'left' | 'right';
};

/** Each leftover row with the leftover row on the other side sharing most cells, best pairs first, each row once. */
export const pairClosest = (p: ClosestPairing): [number, number][] => {
  const scored = p.left.flatMap((i) => p.right.map((j) => ({ i, j, score: p.shared(i, j) })));
  scored.sort((a, b) => b.score - a.score || (p.ties === 'left' ? a.i - b.i || a.j - b.j : a.j - b.j || a.i - b.i));
  const used = { left: new Set<number>(), right: new Set<number>() };
  const pairs: [number, number][] = [];
  for (const { i, j, score } of scored) {
    if (score < p.minimum || used.left.has(i) || used.right.has(j)) continue;
    used.left.add(i);
    used.right.add(j);
    pairs.push([i, j]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
};
