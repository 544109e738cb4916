/**
 * The comparison under diffResults, spec by spec and step by step: which statuses moved, which failing
 * steps now return other rows, and which numbers moved past the thresholds (see diff.ts for why wall times
 * are shown but not judged). Fills a Collect; diff.ts turns it into the ResultsDiff.
 */
import type { DiffOptions, DiffTarget, NumberChange, RowsChange, StatusChange, TimingChange } from './diff.ts';
import { compareSamples } from './timing-evidence.ts';
import { type Cell, UUID_TEXT } from '../values/cell.ts';
import type { ResultRows, SpecResult, Status, StepResult } from './types.ts';

const FAILING: ReadonlySet<Status> = new Set(['failed', 'errored']);
export const isFailing = (s: Status) => FAILING.has(s);

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const stableCell = (cell: Cell): unknown => {
  if (typeof cell === 'string') {
    if (UUID_TEXT.test(cell)) return '<uuid>';
    if (TIMESTAMP.test(cell)) return '<timestamp>';
  }
  return cell;
};
const rowsKey = (rows: ResultRows | undefined): string => (rows === undefined ? '' : JSON.stringify([rows.columns, rows.rows.map((r) => r.map(stableCell))]));

const stepKeys = (steps: readonly StepResult[]): Map<string, StepResult> => {
  const map = new Map<string, StepResult>();
  for (const step of steps) {
    let key = `${step.phase}\u0000${step.name}`;
    // Setup blocks may share a generated name: number the repeats so each still pairs with its twin.
    for (let n = 2; map.has(key); n++) key = `${step.phase}\u0000${step.name}\u0000${n}`;
    map.set(key, step);
  }
  return map;
};

const pct = (old: number, next: number): number => (old === 0 ? (next === 0 ? 0 : Infinity) : ((next - old) / old) * 100);

/** What the comparison gathers, list by list, as it walks the specs. */
export type Collect = {
  newlyFailing: StatusChange[];
  fixed: StatusChange[];
  otherStatus: StatusChange[];
  appeared: StatusChange[];
  disappeared: StatusChange[];
  rowsChanged: RowsChange[];
  metrics: NumberChange[];
  durations: NumberChange[];
  timings: TimingChange[];
  sampledSteps: number;
  todoFixed: StatusChange[];
};

/** A status that moved, filed as newly failing, fixed or another move. */
export const statusMove = (out: Collect, target: DiffTarget, from: Status, to: Status, oldMsg?: string, nextMsg?: string) => {
  if (from === to) return;
  if (isFailing(to) && !isFailing(from)) out.newlyFailing.push({ ...target, from, to, ...(nextMsg ? { message: nextMsg } : {}) });
  else if (isFailing(from) && to === 'passed') out.fixed.push({ ...target, from, to, ...(oldMsg ? { message: oldMsg } : {}) });
  else out.otherStatus.push({ ...target, from, to, ...((nextMsg ?? oldMsg) ? { message: (nextMsg ?? oldMsg)! } : {}) });
};

/** A wall time past both thresholds (percent and ms). */
export const timing = (out: NumberChange[], target: DiffTarget, name: string, old: number, next: number, o: Required<DiffOptions>) => {
  const delta = next - old;
  if (Math.abs(delta) <= o.minMs || Math.abs(pct(old, next)) <= o.thresholdPct) return;
  out.push({ ...target, name, old, next, deltaPct: pct(old, next), direction: delta > 0 ? 'worse' : 'better' });
};

const metric = (out: NumberChange[], target: DiffTarget, name: string, old: number, next: number, o: Required<DiffOptions>) => {
  if (name.endsWith('_ms')) return timing(out, target, name, old, next, o);
  if (old === next || Math.abs(pct(old, next)) <= o.thresholdPct) return;
  out.push({ ...target, name, old, next, deltaPct: pct(old, next), direction: 'changed' });
};

const STATS = ['p50', 'p95'] as const;

const sampledTimings = (out: Collect, target: DiffTarget & { step: string }, old: StepResult, next: StepResult, o: Required<DiffOptions>) => {
  if (!old.samples || !next.samples) return;
  let compared = false;
  for (const stat of STATS) {
    const e = compareSamples(old.samples, next.samples, stat, o.thresholdPct, o.sampleMinMs);
    if (!e) continue;
    compared = true;
    if (e.verdict !== 'no change') out.timings.push({ ...target, ...e, direction: e.verdict === 'slower' ? 'worse' : 'better' });
  }
  if (compared) out.sampledSteps += 1;
};

/** A `todo` that passes now: it can go. */
export const todoFixed = (out: Collect, target: DiffTarget, next: { known?: StepResult['known']; status: Status }, old?: { known?: StepResult['known'] }) => {
  if (next.known?.kind === 'todo' && next.known.fixed && !old?.known?.fixed)
    out.todoFixed.push({ ...target, to: next.status, message: `fixed: remove the todo (${next.known.reason})` });
};

/** One spec's steps, old against new: statuses, failing rows, durations, sampled timings, metrics. */
export const diffSteps = (out: Collect, oldSpec: SpecResult, nextSpec: SpecResult, o: Required<DiffOptions>) => {
  const oldSteps = stepKeys(oldSpec.steps);
  const nextSteps = stepKeys(nextSpec.steps);
  const stepMetricNames = new Set<string>();
  for (const [key, next] of nextSteps) {
    const target: DiffTarget = { spec: nextSpec.name, file: nextSpec.file, step: next.name, phase: next.phase };
    const old = oldSteps.get(key);
    todoFixed(out, target, next, old);
    if (!old) {
      out.appeared.push({ ...target, to: next.status, ...(next.failure ? { message: next.failure.message } : {}) });
      continue;
    }
    statusMove(out, target, old.status, next.status, old.failure?.message, next.failure?.message);
    if (old.failure && next.failure && (rowsKey(old.failure.actual) !== rowsKey(next.failure.actual) || old.failure.code !== next.failure.code)) {
      out.rowsChanged.push({
        ...target,
        step: next.name,
        ...(old.failure.actual ? { old: old.failure.actual } : {}),
        ...(next.failure.actual ? { next: next.failure.actual } : {}),
        oldMessage: old.failure.message,
        nextMessage: next.failure.message,
      });
    }
    // A duration only means something when the step did the same work in both runs.
    if (old.status === 'passed' && next.status === 'passed') timing(out.durations, target, 'duration', old.durationMs, next.durationMs, o);
    sampledTimings(out, { ...target, step: next.name }, old, next, o);
    for (const [name, value] of Object.entries(next.metrics ?? {})) {
      stepMetricNames.add(name);
      const before = old.metrics?.[name];
      if (before !== undefined) metric(out.metrics, target, name, before, value, o);
    }
  }
  for (const [key, old] of oldSteps) {
    if (!nextSteps.has(key)) out.disappeared.push({ spec: oldSpec.name, file: oldSpec.file, step: old.name, phase: old.phase, from: old.status });
  }
  // Spec-level metrics repeat the steps' ones; compare only those no step carried.
  for (const [name, value] of Object.entries(nextSpec.metrics)) {
    const before = oldSpec.metrics[name];
    if (!stepMetricNames.has(name) && before !== undefined) metric(out.metrics, { spec: nextSpec.name, file: nextSpec.file }, name, before, value, o);
  }
};

export const emptyCollect = (): Collect => ({
  newlyFailing: [],
  fixed: [],
  otherStatus: [],
  appeared: [],
  disappeared: [],
  rowsChanged: [],
  metrics: [],
  durations: [],
  timings: [],
  sampledSteps: 0,
  todoFixed: [],
});
