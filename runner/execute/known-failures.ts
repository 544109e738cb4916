/**
 * `skip:` and `todo:` as outcomes: what a skipped or todo step or spec records in results.
 */
import type { KnownFailure, Status, StepResult } from '../results/types.ts';
import type { Known, Spec, Step } from '../spec/types.ts';

/**
 * A todo's outcome: a failure is expected, so it is recorded `skipped` (failure kept, the run not failed); a
 * pass is recorded with `fixed`, for reports to say "fixed: remove the todo".
 */
export const asTodo = (known: Known | undefined, status: Status): { status: Status; known?: KnownFailure } => {
  if (known?.kind !== 'todo' || status === 'skipped') return { status };
  const passed = status === 'passed';
  return { status: passed ? 'passed' : 'skipped', known: { kind: 'todo', reason: known.reason, ...(passed ? { fixed: true } : {}) } };
};

export const skipOf = (step: Step, spec: Spec): KnownFailure | undefined => {
  const known = step.known ?? spec.known;
  return known?.kind === 'skip' ? { kind: 'skip', reason: known.reason } : undefined;
};

/** A todo spec is fixed when none of its todo steps failed (and at least one ran). */
export const specKnown = (known: Known, steps: readonly StepResult[]): KnownFailure => {
  const todos = steps.filter((s) => s.known?.kind === 'todo');
  const fixed = known.kind === 'todo' && todos.length > 0 && todos.every((s) => s.known?.fixed);
  return { kind: known.kind, reason: known.reason, ...(fixed ? { fixed: true } : {}) };
};
