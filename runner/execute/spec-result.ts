/**
 * A spec's result from its step results, and the results of specs that never got to run (errored at the
 * first step, or all skipped), in the shape results.json keeps.
 */
import type { SpecResult, Status, StepResult } from '../results/types.ts';
import type { StepFailure } from './context.ts';
import { stepDatabases, stepMetrics, stepSql } from '../spec/step-kinds.ts';
import type { Known, Spec, Step } from '../spec/types.ts';
import { placed, stepPlaced } from '../results/place.ts';
import { skipOf, specKnown } from './known-failures.ts';

/** What results say about a step before it has run: its name, kind, place, databases and SQL. */
export const stepEntry = (step: Step) => ({
  name: step.name,
  phase: 'step' as const,
  kind: step.kind,
  ...placed(step.loc),
  db: stepDatabases(step).join(', '),
  sql: stepSql(step).map((piece) => piece.sql.text),
});

const specStatus = (steps: readonly StepResult[], known?: Known): Status => {
  if (known?.kind === 'skip') return 'skipped';
  if (known?.kind === 'todo' && steps.some((s) => s.known?.kind === 'todo' && !s.known.fixed)) return 'skipped';
  if (steps.some((s) => s.status === 'errored')) return 'errored';
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.length > 0 && steps.every((s) => s.status === 'skipped')) return 'skipped';
  return 'passed';
};

/** The spec's own metrics: the names it chose under `metrics:`, not every statistic a step records. */
const declaredMetrics = (spec: Spec): Set<string> => new Set(spec.steps.flatMap((s) => stepMetrics(s).map((m) => m.name)));

export const specResult = (spec: Spec, steps: readonly StepResult[], durationMs: number): SpecResult => {
  const declared = declaredMetrics(spec);
  const metrics: Record<string, number> = {};
  for (const step of steps) for (const [k, v] of Object.entries(step.metrics ?? {})) if (declared.has(k)) metrics[k] = v;
  return {
    name: spec.name,
    file: spec.file,
    ...placed(spec.loc),
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    databases: spec.databases,
    status: specStatus(steps, spec.known),
    ...(spec.known ? { known: specKnown(spec.known, steps) } : {}),
    durationMs,
    // Setup and cleanup blocks, and failures built in bounded.ts, run-spec.ts and steps/, come with `location` text only.
    steps: steps.map(stepPlaced),
    metrics,
  };
};

/** A spec that could not run (its databases are gone, dbspec failed): errored at its first step, the rest skipped. */
export const erroredSpec = (spec: Spec, failure: StepFailure): SpecResult =>
  specResult(
    spec,
    spec.steps.map((step, i) => ({ ...stepEntry(step), status: i === 0 ? 'errored' : 'skipped', durationMs: 0, ...(i === 0 ? { failure } : {}) })),
    0,
  );

/** A spec that never ran (interrupted, --bail, `skip:`): every step skipped. */
export const skippedSpec = (spec: Spec): SpecResult =>
  specResult(
    spec,
    spec.steps.map((step) => ({ ...(skipOf(step, spec) ? { known: skipOf(step, spec)! } : {}), ...stepEntry(step), status: 'skipped', durationMs: 0 })),
    0,
  );
