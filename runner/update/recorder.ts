/**
 * Record mode's listener: hears the run's rows checks (execute/events.ts) and keeps, per expectation, the
 * last one (an `eventually` step checks many times; the last one decides), with the variable values known
 * then. Nothing is reloaded: each check carries its spec and step.
 */
import { EVENT_ROWS, type RowsChecked, type RunEvents } from '../execute/events.ts';
import type { VarScope } from '../execute/scope.ts';
import { stepCaptures } from '../spec/step-kinds.ts';
import type { Expectation, Spec } from '../spec/types.ts';
import type { KnownVariable } from './render-value.ts';

export type Recorded = { readonly check: RowsChecked; readonly observedAt: Date; readonly variables: readonly KnownVariable[] };

/** An expectation's identity across the run: where it is written. */
export const expectationKey = (e: Expectation): string => `${e.loc.file}:${e.loc.line}:${e.loc.column}`;

/** Variable values known when the rows were checked; declared and captured names first, built-ins last. */
const variablesAt = (spec: Spec, stepIndex: number, scope: VarScope): KnownVariable[] => {
  const captured = spec.steps.slice(0, stepIndex).flatMap((s) => stepCaptures(s).map((c) => c.name));
  const names = [...spec.vars.map((v) => v.name), ...captured, 'run_id', 'spec_id', 'now', 'today'];
  return names.flatMap((name) => {
    try {
      return [{ name, value: scope.valueOf(name) }];
    } catch {
      return []; // captured by a step that failed
    }
  });
};

/** Starts listening to a run's events; `finish` returns the last check of each expectation. */
export const startRecording = (events: RunEvents): { finish: () => Recorded[] } => {
  const last = new Map<string, Recorded>();
  const listener = (check: RowsChecked): void => {
    last.set(expectationKey(check.expect), { check, observedAt: new Date(), variables: variablesAt(check.spec, check.stepIndex, check.scope) });
  };
  events.on(EVENT_ROWS, listener);
  return {
    finish: () => {
      events.off(EVENT_ROWS, listener);
      return [...last.values()];
    },
  };
};
