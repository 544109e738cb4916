/**
 * RunResults -> the view the report templates render: counts by tag and database, chart geometry, failures
 * first, and per-step row tables. All values are plain data; the templates escape every one of them.
 */
import type { Failure, RunResults, SpecResult, Status, StepResult, Totals } from '../results/types.ts';
import { barChart } from './charts.ts';
import type { BarChart } from './charts.ts';
import { formatInstant, formatMetric, shortCommit, STATUS_ICON } from './format.ts';
import { rowTables } from './row-table.ts';
import { cleanupView, leakViews, type LeakView } from './leak-view.ts';
import type { TableView } from './row-table.ts';
import { formatMs } from '../wording.ts';
import { plural } from '../wording.ts';

export type CountsRow = Totals & { readonly name: string; readonly detail?: string; readonly failing: boolean };
export type MetricView = { readonly name: string; readonly value: string };

export type FailureView = {
  readonly code: string;
  readonly message: string;
  readonly location?: string;
  readonly error?: Failure['error'];
  readonly tables?: readonly TableView[];
  /** A leak: the rows left behind, per table, and the cleanup that would remove them. */
  readonly leaks?: readonly LeakView[];
  readonly cleanup?: string;
};

export type StepView = {
  readonly id: string;
  /** Only steps something links to carry their id in the markup (failures, benchmark charts). */
  readonly anchor: boolean;
  readonly name: string;
  readonly phase: StepResult['phase'];
  readonly showPhase: boolean;
  readonly kind: string;
  /** A plain query is the usual step: only other kinds are named in the step's heading. */
  readonly showKind: boolean;
  readonly db?: string;
  readonly location: string;
  readonly sql: readonly string[];
  readonly status: Status;
  readonly icon: string;
  readonly ok: boolean;
  readonly duration: string;
  readonly waited?: string;
  readonly failure?: FailureView;
  readonly metrics: readonly MetricView[];
  readonly latency?: BarChart;
  /** An interleaving's transcript, in the isolation tester's format. */
  readonly output?: string;
};

export type SpecView = {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly location: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly databases: readonly string[];
  readonly status: Status;
  readonly icon: string;
  readonly ok: boolean;
  readonly duration: string;
  readonly stepCount: number;
  readonly failedSteps: number;
  readonly steps: readonly StepView[];
  readonly metrics: readonly MetricView[];
};

export type FailureListItem = {
  readonly specId: string;
  readonly stepId: string;
  readonly spec: string;
  readonly step: string;
  readonly phase: string;
  readonly status: Status;
  readonly icon: string;
  readonly code: string;
  readonly message: string;
  readonly location?: string;
  readonly failure: FailureView;
  readonly sql: readonly string[];
  readonly db?: string;
};

export type ReportView = {
  readonly title: string;
  readonly release: string | null;
  readonly commit: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly duration: string;
  readonly interrupted: boolean;
  readonly stoppedAfterFailure: boolean;
  readonly ok: boolean;
  readonly verdict: string;
  readonly specs: Totals;
  readonly steps: Totals;
  readonly byTag: readonly CountsRow[];
  readonly byDatabase: readonly CountsRow[];
  readonly failures: readonly FailureListItem[];
  readonly specViews: readonly SpecView[];
  readonly timeChart?: BarChart;
  readonly timeChartNote?: string;
  readonly latencyCharts: readonly { readonly spec: string; readonly step: string; readonly stepId: string; readonly chart: BarChart }[];
  readonly metricRows: readonly { readonly spec: string; readonly specId: string; readonly name: string; readonly value: string }[];
  /** Metric rows left out of the overview table (each spec still shows its own). */
  readonly metricRowsOmitted: number;
};

const TONE: Readonly<Record<Status, string>> = { passed: 'passed', failed: 'failed', errored: 'errored', skipped: 'skipped' };
const isOk = (s: Status) => s === 'passed' || s === 'skipped';
const PERCENTILE_ORDER = ['min_ms', 'p50_ms', 'avg_ms', 'p95_ms', 'p99_ms', 'max_ms'];

/** Latency chart when a step recorded at least two `*_ms` metrics (a benchmark), percentiles in reading order. */
const latencyChart = (title: string, metrics: Readonly<Record<string, number>> | undefined): BarChart | undefined => {
  const names = Object.keys(metrics ?? {}).filter((n) => n.endsWith('_ms'));
  if (names.length < 2) return undefined;
  const rank = (n: string) => (PERCENTILE_ORDER.includes(n) ? PERCENTILE_ORDER.indexOf(n) : PERCENTILE_ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  return barChart(
    title,
    names.map((n) => ({ label: n.replace(/_ms$/, ''), value: metrics![n]!, tone: 'latency' })),
    { labelWidth: 150, width: 480 },
  );
};

const failureView = (failure: Failure, maxRows: number): FailureView => {
  const tables = rowTables(failure, maxRows);
  const leaks = leakViews(failure, maxRows);
  const cleanup = cleanupView(failure);
  return {
    code: failure.code,
    message: failure.message,
    ...(failure.location ? { location: failure.location } : {}),
    ...(failure.error ? { error: failure.error } : {}),
    ...(tables ? { tables } : {}),
    ...(leaks ? { leaks } : {}),
    ...(cleanup ? { cleanup } : {}),
  };
};

const metricViews = (metrics: Readonly<Record<string, number>> | undefined): MetricView[] =>
  Object.keys(metrics ?? {})
    .sort()
    .map((name) => ({ name, value: formatMetric(name, metrics![name]!) }));

const counts = (name: string, statuses: readonly Status[], detail?: string): CountsRow => {
  const t = { passed: 0, failed: 0, errored: 0, skipped: 0, total: statuses.length };
  for (const s of statuses) t[s] += 1;
  return { name, ...t, ...(detail ? { detail } : {}), failing: t.failed + t.errored > 0 };
};

const groupBy = (specs: readonly SpecResult[], keys: (s: SpecResult) => readonly string[]): Map<string, Status[]> => {
  const groups = new Map<string, Status[]>();
  for (const spec of specs) for (const key of keys(spec)) groups.set(key, [...(groups.get(key) ?? []), spec.status]);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

export type ReportViewOptions = { readonly maxRows: number; readonly chartSpecs: number; readonly inlineCharts: number; readonly metricRows: number };

export const reportView = (
  results: RunResults,
  options: ReportViewOptions = { maxRows: 50, chartSpecs: 15, inlineCharts: 50, metricRows: 100 },
): ReportView => {
  const latencySteps = results.specs.reduce(
    (n, spec) => n + spec.steps.filter((s) => Object.keys(s.metrics ?? {}).filter((m) => m.endsWith('_ms')).length >= 2).length,
    0,
  );
  const failures: FailureListItem[] = [];
  const latencyCharts: ReportView['latencyCharts'][number][] = [];
  const specViews = results.specs.map((spec, si): SpecView => {
    const specId = `spec-${si + 1}`;
    const steps = spec.steps.map((step, ti): StepView => {
      const id = `${specId}-${ti + 1}`;
      const failure = step.failure ? failureView(step.failure, options.maxRows) : undefined;
      const latency = latencyChart(`${step.name}: latency`, step.metrics);
      if (latency) latencyCharts.push({ spec: spec.name, step: step.name, stepId: id, chart: latency });
      // Hundreds of benchmark steps would make the report heavy: then only failing ones keep a chart inline.
      const inlineLatency = latency && (!isOk(step.status) || latencySteps <= options.inlineCharts);
      if (failure && !isOk(step.status)) {
        failures.push({
          specId,
          stepId: id,
          spec: spec.name,
          step: step.name,
          phase: step.phase,
          status: step.status,
          icon: STATUS_ICON[step.status],
          code: failure.code,
          message: failure.message,
          ...(failure.location ? { location: failure.location } : {}),
          failure,
          sql: step.sql ?? [],
          ...(step.db ? { db: step.db } : {}),
        });
      }
      return {
        id,
        anchor: !isOk(step.status) || latency !== undefined,
        name: step.name,
        phase: step.phase,
        showPhase: step.phase !== 'step',
        kind: step.kind,
        showKind: step.kind !== 'query' || !step.db,
        ...(step.db ? { db: step.db } : {}),
        // The spec's file is in its heading: a step shows where in it ("line 12:5").
        location: step.location.startsWith(`${spec.file}:`) ? `line ${step.location.slice(spec.file.length + 1)}` : step.location,
        sql: step.sql ?? [],
        ...(step.output !== undefined ? { output: step.output } : {}),
        status: step.status,
        icon: STATUS_ICON[step.status],
        ok: isOk(step.status),
        duration: formatMs(step.durationMs),
        ...(step.waitedMs !== undefined ? { waited: formatMs(step.waitedMs) } : {}),
        ...(failure ? { failure } : {}),
        metrics: metricViews(step.metrics),
        ...(inlineLatency ? { latency } : {}),
      };
    });
    return {
      id: specId,
      name: spec.name,
      file: spec.file,
      location: spec.location,
      ...(spec.description ? { description: spec.description } : {}),
      tags: spec.tags,
      databases: spec.databases,
      status: spec.status,
      icon: STATUS_ICON[spec.status],
      ok: isOk(spec.status),
      duration: formatMs(spec.durationMs),
      stepCount: spec.steps.length,
      failedSteps: spec.steps.filter((s) => !isOk(s.status)).length,
      steps,
      metrics: metricViews(spec.metrics),
    };
  });
  const allMetricRows = results.specs.flatMap((spec, si) => metricViews(spec.metrics).map((m) => ({ spec: spec.name, specId: `spec-${si + 1}`, ...m })));
  const slowest = [...results.specs].sort((a, b) => b.durationMs - a.durationMs).slice(0, options.chartSpecs);
  const { specs, steps } = results.summary;
  const failing = specs.failed + specs.errored;
  const verdict = results.interrupted
    ? `interrupted after ${plural(specs.total, 'spec')}`
    : results.stoppedAfterFailure
      ? `stopped after the first failure (--bail): ${failing} of ${plural(specs.total, 'spec')} failed, ${specs.skipped} not run`
      : failing > 0
        ? `${failing} of ${plural(specs.total, 'spec')} failed`
        : `all ${plural(specs.total, 'spec')} passed`;
  return {
    title: `dbspec report${results.release ? ` · ${results.release}` : ''}`,
    release: results.release,
    commit: shortCommit(results.commit),
    startedAt: formatInstant(results.startedAt),
    finishedAt: formatInstant(results.finishedAt),
    duration: formatMs(results.durationMs),
    interrupted: results.interrupted,
    stoppedAfterFailure: results.stoppedAfterFailure === true,
    ok: failing === 0 && !results.interrupted,
    verdict,
    specs,
    steps,
    byTag: [...groupBy(results.specs, (s) => (s.tags.length ? s.tags : ['(untagged)']))].map(([name, st]) => counts(name, st)),
    byDatabase: [...groupBy(results.specs, (s) => s.databases)].map(([name, st]) => {
      const db = results.databases[name];
      return counts(name, st, db ? `PostgreSQL ${db.serverVersion}${db.embedded ? ' (embedded)' : ''}` : undefined);
    }),
    failures,
    specViews,
    ...(slowest.length > 0
      ? {
          timeChart: barChart(
            'Time per spec',
            slowest.map((s) => ({ label: s.name, value: s.durationMs, tone: TONE[s.status] })),
            { labelWidth: 420, width: 1060 },
          ),
        }
      : {}),
    ...(results.specs.length > slowest.length ? { timeChartNote: `the ${slowest.length} slowest of ${results.specs.length} specs` } : {}),
    latencyCharts: latencyCharts.slice(0, 20),
    metricRows: allMetricRows.slice(0, options.metricRows),
    metricRowsOmitted: Math.max(0, allMetricRows.length - options.metricRows),
  };
};
