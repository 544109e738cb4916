/**
 * Two runs (two releases) -> what changed, as data. Specs are matched by name (unique across a run, and
 * stable when a file moves), steps by phase and name within their spec. Pure: rendering is in runner/report.
 *
 * Timing noise: a duration or a `*_ms` metric counts only when it moved by more than `thresholdPct` percent
 * AND by more than `minMs` milliseconds, so that 2 ms -> 3 ms (+50%) is not reported. Actual rows compare with
 * UUIDs and ISO timestamps treated as volatile (every run generates fresh ones via ${uuid} and ${now}).
 */
import type { Cell, ResultRows, RunResults, SpecResult, Status, StepResult } from './types.ts';

export type DiffOptions = {
  /** Percent a duration or metric must move by to count. Default 20. */
  readonly thresholdPct: number;
  /** Absolute change in ms a duration or `*_ms` metric must also exceed. Default 5. */
  readonly minMs?: number;
};

export const DEFAULT_THRESHOLD_PCT = 20;
export const DEFAULT_MIN_MS = 100;

/** Identifies a spec, or a step in it when `step` is set. */
export type DiffTarget = {
  readonly spec: string;
  readonly file: string;
  readonly step?: string;
  readonly phase?: StepResult['phase'];
};

/** A status that moved; `from` is absent for something that appeared, `to` for something that disappeared. */
export type StatusChange = DiffTarget & {
  readonly from?: Status;
  readonly to?: Status;
  /** The failure message in the new run (or the old one, for a fix). */
  readonly message?: string;
};

export type RowsChange = DiffTarget & {
  readonly step: string;
  readonly old?: ResultRows;
  readonly next?: ResultRows;
  readonly oldMessage?: string;
  readonly nextMessage?: string;
};

/** A number that moved past the threshold. `worse` is known for timings (higher is worse); plain metrics just `changed`. */
export type NumberChange = DiffTarget & {
  /** The metric name, or `duration` for a spec or step duration. */
  readonly name: string;
  readonly old: number;
  readonly next: number;
  /** (next - old) / old * 100; Infinity when old was 0. */
  readonly deltaPct: number;
  readonly direction: 'worse' | 'better' | 'changed';
};

export type RunRef = Pick<RunResults, 'release' | 'commit' | 'startedAt' | 'durationMs' | 'interrupted' | 'summary'>;

export type ResultsDiff = {
  readonly old: RunRef;
  readonly next: RunRef;
  readonly thresholdPct: number;
  readonly minMs: number;
  /** Specs and steps that failed or errored in the new run and passed (or were skipped) in the old one. */
  readonly newlyFailing: readonly StatusChange[];
  /** Specs and steps that failed or errored in the old run and pass in the new one. */
  readonly fixed: readonly StatusChange[];
  /** Other status moves, e.g. failed -> errored, passed -> skipped. */
  readonly otherStatus: readonly StatusChange[];
  readonly appeared: readonly StatusChange[];
  readonly disappeared: readonly StatusChange[];
  /** Steps failing in both runs whose actual rows (or failure) differ. */
  readonly rowsChanged: readonly RowsChange[];
  readonly metrics: readonly NumberChange[];
  readonly durations: readonly NumberChange[];
};

const FAILING: ReadonlySet<Status> = new Set(['failed', 'errored']);
const isFailing = (s: Status) => FAILING.has(s);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const stableCell = (cell: Cell): unknown => {
  if (typeof cell === 'string') {
    if (UUID.test(cell)) return '<uuid>';
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

type Collect = {
  newlyFailing: StatusChange[];
  fixed: StatusChange[];
  otherStatus: StatusChange[];
  appeared: StatusChange[];
  disappeared: StatusChange[];
  rowsChanged: RowsChange[];
  metrics: NumberChange[];
  durations: NumberChange[];
};

const statusMove = (out: Collect, target: DiffTarget, from: Status, to: Status, oldMsg?: string, nextMsg?: string) => {
  if (from === to) return;
  if (isFailing(to) && !isFailing(from)) out.newlyFailing.push({ ...target, from, to, ...(nextMsg ? { message: nextMsg } : {}) });
  else if (isFailing(from) && to === 'passed') out.fixed.push({ ...target, from, to, ...(oldMsg ? { message: oldMsg } : {}) });
  else out.otherStatus.push({ ...target, from, to, ...((nextMsg ?? oldMsg) ? { message: (nextMsg ?? oldMsg)! } : {}) });
};

const timing = (out: NumberChange[], target: DiffTarget, name: string, old: number, next: number, o: Required<DiffOptions>) => {
  const delta = next - old;
  if (Math.abs(delta) <= o.minMs || Math.abs(pct(old, next)) <= o.thresholdPct) return;
  out.push({ ...target, name, old, next, deltaPct: pct(old, next), direction: delta > 0 ? 'worse' : 'better' });
};

const metric = (out: NumberChange[], target: DiffTarget, name: string, old: number, next: number, o: Required<DiffOptions>) => {
  if (name.endsWith('_ms')) return timing(out, target, name, old, next, o);
  if (old === next || Math.abs(pct(old, next)) <= o.thresholdPct) return;
  out.push({ ...target, name, old, next, deltaPct: pct(old, next), direction: 'changed' });
};

const diffSteps = (out: Collect, oldSpec: SpecResult, nextSpec: SpecResult, o: Required<DiffOptions>) => {
  const oldSteps = stepKeys(oldSpec.steps);
  const nextSteps = stepKeys(nextSpec.steps);
  const stepMetricNames = new Set<string>();
  for (const [key, next] of nextSteps) {
    const target: DiffTarget = { spec: nextSpec.name, file: nextSpec.file, step: next.name, phase: next.phase };
    const old = oldSteps.get(key);
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

export const diffResults = (old: RunResults, next: RunResults, options: DiffOptions = { thresholdPct: DEFAULT_THRESHOLD_PCT }): ResultsDiff => {
  const o: Required<DiffOptions> = { thresholdPct: options.thresholdPct, minMs: options.minMs ?? DEFAULT_MIN_MS };
  const out: Collect = { newlyFailing: [], fixed: [], otherStatus: [], appeared: [], disappeared: [], rowsChanged: [], metrics: [], durations: [] };
  const oldSpecs = new Map(old.specs.map((s) => [s.name, s]));
  const nextNames = new Set(next.specs.map((s) => s.name));
  for (const spec of next.specs) {
    const before = oldSpecs.get(spec.name);
    const target: DiffTarget = { spec: spec.name, file: spec.file };
    if (!before) {
      out.appeared.push({ ...target, to: spec.status, ...(firstFailure(spec) ? { message: firstFailure(spec)! } : {}) });
      continue;
    }
    statusMove(out, target, before.status, spec.status, firstFailure(before), firstFailure(spec));
    if (before.status === 'passed' && spec.status === 'passed') timing(out.durations, target, 'duration', before.durationMs, spec.durationMs, o);
    diffSteps(out, before, spec, o);
  }
  for (const spec of old.specs) if (!nextNames.has(spec.name)) out.disappeared.push({ spec: spec.name, file: spec.file, from: spec.status });
  const ref = (r: RunResults): RunRef => ({
    release: r.release,
    commit: r.commit,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    interrupted: r.interrupted,
    summary: r.summary,
  });
  return { old: ref(old), next: ref(next), thresholdPct: o.thresholdPct, minMs: o.minMs, ...out };
};

const firstFailure = (spec: SpecResult): string | undefined => spec.steps.find((s) => s.failure)?.failure?.message;

/**
 * A regression: something fails that did not (including a new spec or step that fails), or a timing got worse
 * past the threshold. Fixes, disappearances and plain metric moves are changes, not regressions.
 */
export const hasRegression = (d: ResultsDiff): boolean =>
  d.newlyFailing.length > 0 ||
  d.appeared.some((a) => a.to !== undefined && isFailing(a.to)) ||
  d.metrics.some((m) => m.direction === 'worse') ||
  d.durations.some((m) => m.direction === 'worse');

/** Anything at all to report (timings within the threshold do not count). */
export const hasChange = (d: ResultsDiff): boolean =>
  [d.newlyFailing, d.fixed, d.otherStatus, d.appeared, d.disappeared, d.rowsChanged, d.metrics, d.durations].some((list) => list.length > 0);
