/**
 * Many runs (releases, oldest first) -> one history, as data: each spec's and step's status across releases,
 * metric series, what changed around the specs (schema, migrations, edited specs) and in which release it
 * first appeared, and a verdict per step:
 *
 * - regression: it passed, then failed and still fails (since the release of the last pass -> fail);
 * - fixed: it failed, then passed and still passes;
 * - flaky: it flipped between pass and fail at least twice, at least once with neither its spec's files nor
 *   the schema of its databases changed across the flip: the database did not change, the outcome did;
 * - failing: failed in every release it ran in; stable: passed in every one.
 *
 * Skipped outcomes (skip, failing todo, not reached) say neither pass nor fail and are stepped over. Pure.
 * A flip counts as explained only when both releases recorded the fingerprints; older files read as explained.
 */
import { editedSpecs } from './diff-causes.ts';
import { diffMigrations, diffSchemas, schemaChangeText } from './schema-diff.ts';
import type { RunResults, SpecResult, Status, StepResult } from './types.ts';

export type Verdict = 'regression' | 'fixed' | 'flaky' | 'failing' | 'stable';

export type TrendRelease = {
  readonly label: string;
  readonly commit: string | null;
  readonly startedAt: string;
  readonly interrupted: boolean;
  readonly summary: RunResults['summary'];
};

export type StepHistory = {
  readonly spec: string;
  readonly file: string;
  readonly step: string;
  readonly phase: StepResult['phase'];
  /** One per release; null where the step was not in that release. */
  readonly statuses: readonly (Status | null)[];
  readonly verdict: Verdict;
  /** Release index where the regression or fix first appeared. */
  readonly since?: number;
  readonly flips: number;
  readonly unexplainedFlips: number;
  /** The failure message in the latest release that failed. */
  readonly message?: string;
};

export type SpecHistory = {
  readonly spec: string;
  readonly file: string;
  readonly statuses: readonly (Status | null)[];
  /** Release indexes whose spec files differ from the release before. */
  readonly edited: readonly number[];
};

export type MetricSeries = { readonly spec: string; readonly step?: string; readonly name: string; readonly values: readonly (number | null)[] };

/** What changed between release `release - 1` and `release`. */
export type ReleaseChange = {
  readonly release: number;
  readonly kind: 'schema' | 'migration' | 'spec edited' | 'newly failing' | 'fixed';
  readonly text: string;
};

/** `dbspec prove`'s mutation score, when a prove.json sits beside a release's results, is one more MetricSeries (commands/trend.ts). */
export type Trend = {
  readonly releases: readonly TrendRelease[];
  readonly specs: readonly SpecHistory[];
  readonly steps: readonly StepHistory[];
  readonly metrics: readonly MetricSeries[];
  readonly changes: readonly ReleaseChange[];
};

const isFailing = (s: Status | null) => s === 'failed' || s === 'errored';
const isPassing = (s: Status | null) => s === 'passed';

const stepKey = (spec: string, step: StepResult) => `${spec}\u0000${step.phase}\u0000${step.name}`;

/** Per release: did anything the step depends on change since the release before? */
type Drift = (release: number, spec: string, dbs: readonly string[]) => boolean;

const driftOf = (runs: readonly RunResults[]): Drift => {
  const specPrint = runs.map((r) => new Map(r.specs.map((s) => [s.name, s.source?.fingerprint])));
  const schemaPrint = runs.map((r) => r.databases);
  return (i, spec, dbs) => {
    const before = specPrint[i - 1]!.get(spec);
    const now = specPrint[i]!.get(spec);
    if (before === undefined || now === undefined || before !== now) return true;
    return dbs.some((db) => {
      const [a, b] = [schemaPrint[i - 1]![db], schemaPrint[i]![db]];
      if (!a?.schema || !b?.schema) return true;
      return a.schema.fingerprint !== b.schema.fingerprint || JSON.stringify(a.migrations) !== JSON.stringify(b.migrations);
    });
  };
};

const classify = (statuses: readonly (Status | null)[], explained: (release: number) => boolean) => {
  let flips = 0;
  let unexplainedFlips = 0;
  let last: { index: number; failing: boolean } | undefined;
  let since: number | undefined;
  statuses.forEach((status, i) => {
    if (!isFailing(status) && !isPassing(status)) return;
    const failing = isFailing(status);
    if (last && last.failing !== failing) {
      flips += 1;
      // A flip is explained when something changed in any release between the two outcomes.
      let changed = false;
      for (let r = last.index + 1; r <= i; r++) changed ||= explained(r);
      if (!changed) unexplainedFlips += 1;
      since = i;
    }
    last = { index: i, failing };
  });
  const verdict: Verdict =
    flips >= 2 && unexplainedFlips >= 1 ? 'flaky' : flips === 0 ? (last?.failing ? 'failing' : 'stable') : last?.failing ? 'regression' : 'fixed';
  return { verdict, flips, unexplainedFlips, ...(since !== undefined && (verdict === 'regression' || verdict === 'fixed') ? { since } : {}) };
};

const BENCHMARK_SERIES = new Set(['p50_ms', 'p95_ms']);

const seriesOf = (runs: readonly RunResults[]): MetricSeries[] => {
  const series = new Map<string, { spec: string; step?: string; name: string; values: (number | null)[] }>();
  runs.forEach((run, i) => {
    for (const spec of run.specs)
      for (const step of spec.steps)
        for (const [name, value] of Object.entries(step.metrics ?? {})) {
          // A benchmark's median and p95 tell its story; min, max and p99 are its noise.
          if (step.samples && !BENCHMARK_SERIES.has(name) && !(name in spec.metrics)) continue;
          if (name === 'iterations') continue;
          const key = `${spec.name}\u0000${step.name}\u0000${name}`;
          let s = series.get(key);
          if (!s) series.set(key, (s = { spec: spec.name, step: step.name, name, values: new Array<number | null>(runs.length).fill(null) }));
          s.values[i] = value;
        }
  });
  return [...series.values()];
};

const changesOf = (runs: readonly RunResults[]): ReleaseChange[] =>
  runs.slice(1).flatMap((run, k): ReleaseChange[] => {
    const release = k + 1;
    const before = runs[k]!;
    return [
      ...diffSchemas(before, run).map((c) => ({ release, kind: 'schema' as const, text: schemaChangeText(c) })),
      ...diffMigrations(before, run).map((m) => ({ release, kind: 'migration' as const, text: `${m.db}: ${m.name} ${m.change}` })),
      ...editedSpecs(before, run).map((e) => ({ release, kind: 'spec edited' as const, text: `${e.spec} (${e.files.join(', ')})` })),
    ];
  });

const label = (run: RunResults, i: number): string => run.release ?? (run.commit ? run.commit.slice(0, 12) : `run ${i + 1}`);

export const buildTrend = (runs: readonly RunResults[]): Trend => {
  const drift = driftOf(runs);
  const specs = new Map<string, { spec: SpecResult; statuses: (Status | null)[]; edited: number[] }>();
  const steps = new Map<string, { spec: SpecResult; step: StepResult; statuses: (Status | null)[]; message?: string }>();
  runs.forEach((run, i) => {
    for (const spec of run.specs) {
      let s = specs.get(spec.name);
      if (!s) specs.set(spec.name, (s = { spec, statuses: new Array<Status | null>(runs.length).fill(null), edited: [] }));
      s.statuses[i] = spec.status;
      if (i > 0 && spec.source && runs[i - 1]!.specs.find((p) => p.name === spec.name)?.source?.fingerprint !== spec.source.fingerprint) s.edited.push(i);
      for (const step of spec.steps) {
        if (step.phase === 'cleanup') continue;
        const key = stepKey(spec.name, step);
        let h = steps.get(key);
        if (!h) steps.set(key, (h = { spec, step, statuses: new Array<Status | null>(runs.length).fill(null) }));
        h.statuses[i] = step.status;
        if (isFailing(step.status) && step.failure) h.message = step.failure.message;
      }
    }
  });
  const stepHistories = [...steps.values()].map(({ spec, step, statuses, message }): StepHistory => {
    const dbs = (step.db ?? spec.databases.join(',')).split(',').map((d) => d.trim());
    return {
      spec: spec.name,
      file: spec.file,
      step: step.name,
      phase: step.phase,
      statuses,
      ...classify(statuses, (r) => drift(r, spec.name, dbs)),
      ...(message ? { message } : {}),
    };
  });
  const statusChanges = stepHistories.flatMap((h): ReleaseChange[] =>
    h.since !== undefined ? [{ release: h.since, kind: h.verdict === 'fixed' ? 'fixed' : 'newly failing', text: `${h.spec} › ${h.step}` }] : [],
  );
  return {
    releases: runs.map((run, i) => ({
      label: label(run, i),
      commit: run.commit,
      startedAt: run.startedAt,
      interrupted: run.interrupted,
      summary: run.summary,
    })),
    specs: [...specs.values()].map(({ spec, statuses, edited }) => ({ spec: spec.name, file: spec.file, statuses, edited })),
    steps: stepHistories,
    metrics: seriesOf(runs),
    changes: [...changesOf(runs), ...statusChanges].sort((a, b) => a.release - b.release),
  };
};
