/**
 * Speed bounds are figures for the bench, not verdicts of `npm test`: under load (several test runs sharing
 * two cores) a bound measures the machine, not dbspec. `assertWithin` asserts only with DBSPEC_TIMED=1, which
 * `npm run bench -- timed` sets (test/bench/timed.bench.ts) to run these same tests with their bounds.
 */
import assert from 'node:assert/strict';

export const TIMED = process.env.DBSPEC_TIMED === '1';

/** Under DBSPEC_TIMED=1: `ms` is below `boundMs`. Otherwise nothing: the figure belongs to the bench. */
export const assertWithin = (ms: number, boundMs: number, what: string): void => {
  if (TIMED) assert.ok(ms < boundMs, `${what}: took ${Math.round(ms)} ms, the bound is ${boundMs} ms`);
};
