import type { RunResults, SpecResult, Status, Totals } from './types.ts';

const count = (statuses: readonly Status[]): Totals => {
  const totals = { passed: 0, failed: 0, errored: 0, skipped: 0, total: statuses.length };
  for (const status of statuses) totals[status] += 1;
  return totals;
};

/** Totals by spec and by step (every phase: a failed cleanup is a failure too). Pure. */
export const summarize = (specs: readonly SpecResult[]): RunResults['summary'] => ({
  specs: count(specs.map((s) => s.status)),
  steps: count(specs.flatMap((s) => s.steps.map((step) => step.status))),
});
