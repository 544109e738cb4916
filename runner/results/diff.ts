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
import { diffSteps, emptyCollect, isFailing, statusMove, timing, todoFixed } from './diff-steps.ts';
import type { TimingEvidence } from './timing-evidence.ts';
import type { ResultRows, RunResults, SpecResult, Status, StepResult } from './types.ts';

export type DiffOptions = {
  /** Percent a duration or metric must move by to count. Default 20. */
  readonly thresholdPct: number;
  /** Absolute change in ms a duration or `*_ms` metric must also exceed. Default DEFAULT_MIN_MS. */
  readonly minMs?: number;
  /**
   * Below this change (ms) a benchmark's sampled statistic is never judged slower or faster: an explicit
   * --min-ms (a loaded CI machine's two runs of the same code); 1 ms when not given (timing-evidence.ts).
   */
  readonly sampleMinMs?: number;
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

export const diffResults = (old: RunResults, next: RunResults, options: DiffOptions = { thresholdPct: DEFAULT_THRESHOLD_PCT }): ResultsDiff => {
  const o: Required<DiffOptions> = {
    thresholdPct: options.thresholdPct,
    minMs: options.minMs ?? DEFAULT_MIN_MS,
    sampleMinMs: options.sampleMinMs ?? 0,
  };
  const out = emptyCollect();
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
