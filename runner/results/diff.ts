/**
 * Two runs (two releases) -> what changed, as data. Specs are matched by name (unique across a run, and
 * stable when a file moves), steps by phase and name within their spec. Pure: rendering is in runner/report.
 *
 * Timing: one wall time per step varies by several hundred percent on a loaded machine, so durations and
 * single-number `*_ms` metrics are only shown (past `thresholdPct` percent AND `minMs` ms), never judged,
 * unless the caller gates on them (`--fail-on slower`, see hasSlowerTiming). What is judged is a benchmark's
 * samples, with their spread (timing-evidence.ts). Actual rows compare with UUIDs and ISO timestamps treated
 * as volatile (every run generates fresh ones via ${uuid} and ${now}).
 *
 * Why: a change in a spec whose files were edited is "spec edited"; otherwise "behaviour changed", with the
 * schema changes that plausibly explain it (schema-diff.ts).
 */
import type { ProveChange } from './prove-diff.ts';
import { editedSpecs, withCause } from './diff-causes.ts';
import { diffMigrations, diffSchemas, type MigrationChange, type SchemaChange } from './schema-diff.ts';
import { compareSamples, type TimingEvidence } from './timing-evidence.ts';
import { type Cell, UUID_TEXT } from '../values/cell.ts';
import type { ResultRows, RunResults, SpecResult, Status, StepResult } from './types.ts';

export type DiffOptions = {
  /** Percent a duration or metric must move by to count. Default 20. */
  readonly thresholdPct: number;
  /** Absolute change in ms a duration or `*_ms` metric must also exceed. Default DEFAULT_MIN_MS. */
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

/** Why a spec's outcome moved: its files were edited, or they were not and the system behaved differently. */
export type Cause = 'spec edited' | 'behaviour changed';

/** A status that moved; `from` is absent for something that appeared, `to` for something that disappeared. */
export type StatusChange = DiffTarget & {
  readonly from?: Status;
  readonly to?: Status;
  /** The failure message in the new run (or the old one, for a fix). */
  readonly message?: string;
  /** Known when both runs recorded the spec's source fingerprint. */
  readonly cause?: Cause;
  /** Schema changes that plausibly explain a newly failing step (indexes into ResultsDiff.schema). */
  readonly schemaChanges?: readonly number[];
};

/** A benchmark statistic judged from both runs' samples. */
export type TimingChange = DiffTarget & TimingEvidence & { readonly step: string; readonly direction: 'worse' | 'better' };

/** A spec whose files differ between the runs, and which of them. */
export type SpecEdit = DiffTarget & { readonly files: readonly string[] };

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
  /** Metrics past the threshold; `*_ms` ones are single numbers, shown but judged only by --fail-on slower. */
  readonly metrics: readonly NumberChange[];
  /** Durations past the threshold: shown, judged only by --fail-on slower. */
  readonly durations: readonly NumberChange[];
  /** Benchmark statistics whose samples show a change beyond noise and the minimum effect: these gate. */
  readonly timings: readonly TimingChange[];
  /** How many benchmark steps were compared by their samples. */
  readonly sampledSteps: number;
  readonly specsEdited: readonly SpecEdit[];
  readonly schema: readonly SchemaChange[];
  readonly migrations: readonly MigrationChange[];
  /** `todo` steps (or specs) that pass in the new run: the todo can go. */
  readonly todoFixed: readonly StatusChange[];
  /** The mutation score's move, when both runs have a prove.json beside them (see results/prove-diff.ts). */
  readonly prove?: ProveChange;
};

const FAILING: ReadonlySet<Status> = new Set(['failed', 'errored']);
const isFailing = (s: Status) => FAILING.has(s);

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

type Collect = {
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

const STATS = ['p50', 'p95'] as const;

const sampledTimings = (out: Collect, target: DiffTarget & { step: string }, old: StepResult, next: StepResult, o: Required<DiffOptions>) => {
  if (!old.samples || !next.samples) return;
  let compared = false;
  for (const stat of STATS) {
    const e = compareSamples(old.samples, next.samples, stat, o.thresholdPct);
    if (!e) continue;
    compared = true;
    if (e.verdict !== 'no change') out.timings.push({ ...target, ...e, direction: e.verdict === 'slower' ? 'worse' : 'better' });
  }
  if (compared) out.sampledSteps += 1;
};

const todoFixed = (out: Collect, target: DiffTarget, next: { known?: StepResult['known']; status: Status }, old?: { known?: StepResult['known'] }) => {
  if (next.known?.kind === 'todo' && next.known.fixed && !old?.known?.fixed)
    out.todoFixed.push({ ...target, to: next.status, message: `fixed: remove the todo (${next.known.reason})` });
};

const diffSteps = (out: Collect, oldSpec: SpecResult, nextSpec: SpecResult, o: Required<DiffOptions>) => {
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

export const diffResults = (old: RunResults, next: RunResults, options: DiffOptions = { thresholdPct: DEFAULT_THRESHOLD_PCT }): ResultsDiff => {
  const o: Required<DiffOptions> = { thresholdPct: options.thresholdPct, minMs: options.minMs ?? DEFAULT_MIN_MS };
  const out: Collect = {
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
  };
  const oldSpecs = new Map(old.specs.map((s) => [s.name, s]));
  const nextNames = new Set(next.specs.map((s) => s.name));
  for (const spec of next.specs) {
    const before = oldSpecs.get(spec.name);
    const target: DiffTarget = { spec: spec.name, file: spec.file };
    if (!before) {
      out.appeared.push({ ...target, to: spec.status, ...(firstFailure(spec) ? { message: firstFailure(spec)! } : {}) });
      continue;
    }
    todoFixed(out, target, spec, before);
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
  const schema = diffSchemas(old, next);
  const specsEdited = editedSpecs(old, next);
  const explained = { schema, edited: new Set(specsEdited.map((e) => e.spec)), old, next };
  return {
    old: ref(old),
    next: ref(next),
    thresholdPct: o.thresholdPct,
    minMs: o.minMs,
    ...out,
    newlyFailing: out.newlyFailing.map((c) => withCause(c, explained)),
    fixed: out.fixed.map((c) => withCause(c, explained)),
    specsEdited,
    schema,
    migrations: diffMigrations(old, next),
  };
};

const firstFailure = (spec: SpecResult): string | undefined => spec.steps.find((s) => s.failure)?.failure?.message;

/**
 * A regression: something fails that did not (including a new spec or step that fails), or a benchmark got
 * slower by its samples. Fixes, disappearances, plain metric moves and single wall times are not regressions.
 */
export const hasRegression = (d: ResultsDiff): boolean =>
  d.newlyFailing.length > 0 || d.appeared.some((a) => a.to !== undefined && isFailing(a.to)) || d.timings.some((t) => t.direction === 'worse');

/** The strict gate of `--fail-on slower`: a regression, or any duration or `*_ms` metric worse past the threshold. */
export const hasSlowerTiming = (d: ResultsDiff): boolean =>
  hasRegression(d) || d.metrics.some((m) => m.direction === 'worse') || d.durations.some((m) => m.direction === 'worse');

/** Anything at all to report; durations and single `*_ms` numbers are noise here and do not count. */
export const hasChange = (d: ResultsDiff): boolean =>
  [d.newlyFailing, d.fixed, d.otherStatus, d.appeared, d.disappeared, d.rowsChanged, d.timings, d.specsEdited, d.schema, d.migrations, d.todoFixed].some(
    (list) => list.length > 0,
  ) || d.metrics.some((m) => m.direction === 'changed');
