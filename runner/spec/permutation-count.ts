/** How many orders keep each session's statements in sequence: the multinomial coefficient of the sizes. */
export const permutationCount = (sizes: readonly number[]): number => {
  let total = 0;
  let count = 1;
  for (const size of sizes) {
    for (let k = 1; k <= size; k++) {
      total++;
      count = (count * total) / k;
    }
  }
  return Math.round(count);
};
