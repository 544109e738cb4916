/**
 * RunResults -> the view the report templates render: counts by tag and database, chart geometry, failures
 * first, and per-step row tables. All values are plain data; the templates escape every one of them.
 */
import type { RunResults, SpecResult, Status, Totals } from '../results/types.ts';
import { barChart, type BarChart } from './charts.ts';
import { formatInstant, shortCommit, STATUS_ICON } from './format.ts';
import { type FailureListItem, hasLatency, isOk, type LatencyChartView, metricViews, type MetricView, type StepView, stepParts } from './step-view.ts';
import { formatMs, plural } from '../wording.ts';

export type CountsRow = Totals & { readonly name: string; readonly detail?: string; readonly failing: boolean };

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
  readonly latencyCharts: readonly LatencyChartView[];
  readonly metricRows: readonly { readonly spec: string; readonly specId: string; readonly name: string; readonly value: string }[];
  /** Metric rows left out of the overview table (each spec still shows its own). */
  readonly metricRowsOmitted: number;
};

const TONE: Readonly<Record<Status, string>> = { passed: 'passed', failed: 'failed', errored: 'errored', skipped: 'skipped' };
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

const specView = (spec: SpecResult, specId: string, steps: readonly StepView[]): SpecView => ({
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
});

const verdictOf = (results: RunResults): string => {
  const { specs } = results.summary;
  const failing = specs.failed + specs.errored;
  if (results.interrupted) return `interrupted after ${plural(specs.total, 'spec')}`;
  if (results.stoppedAfterFailure)
    return `stopped after the first failure (--bail): ${failing} of ${plural(specs.total, 'spec')} failed, ${specs.skipped} not run`;
  return failing > 0 ? `${failing} of ${plural(specs.total, 'spec')} failed` : `all ${plural(specs.total, 'spec')} passed`;
};

/** Counts by tag and by database, and the chart of the slowest specs. */
const overview = (results: RunResults, chartSpecs: number): Pick<ReportView, 'byTag' | 'byDatabase' | 'timeChart' | 'timeChartNote'> => {
  const slowest = [...results.specs].sort((a, b) => b.durationMs - a.durationMs).slice(0, chartSpecs);
  return {
    byTag: [...groupBy(results.specs, (s) => (s.tags.length ? s.tags : ['(untagged)']))].map(([name, st]) => counts(name, st)),
    byDatabase: [...groupBy(results.specs, (s) => s.databases)].map(([name, st]) => {
      const db = results.databases[name];
      return counts(name, st, db ? `PostgreSQL ${db.serverVersion}${db.embedded ? ' (embedded)' : ''}` : undefined);
    }),
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
  };
};

export const reportView = (
  results: RunResults,
  options: ReportViewOptions = { maxRows: 50, chartSpecs: 15, inlineCharts: 50, metricRows: 100 },
): ReportView => {
  const inlineCharts = results.specs.reduce((n, spec) => n + spec.steps.filter(hasLatency).length, 0) <= options.inlineCharts;
  const failures: FailureListItem[] = [];
  const latencyCharts: LatencyChartView[] = [];
  const specViews = results.specs.map((spec, si): SpecView => {
    const specId = `spec-${si + 1}`;
    const steps = spec.steps.map((step, ti) => {
      const parts = stepParts(spec, specId, step, `${specId}-${ti + 1}`, inlineCharts, options.maxRows);
      if (parts.failure) failures.push(parts.failure);
      if (parts.latency) latencyCharts.push(parts.latency);
      return parts.view;
    });
    return specView(spec, specId, steps);
  });
  const allMetricRows = results.specs.flatMap((spec, si) => metricViews(spec.metrics).map((m) => ({ spec: spec.name, specId: `spec-${si + 1}`, ...m })));
  const { specs, steps } = results.summary;
  const failing = specs.failed + specs.errored;
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
    verdict: verdictOf(results),
    specs,
    steps,
    ...overview(results, options.chartSpecs),
    failures,
    specViews,
    latencyCharts: latencyCharts.slice(0, 20),
    metricRows: allMetricRows.slice(0, options.metricRows),
    metricRowsOmitted: Math.max(0, allMetricRows.length - options.metricRows),
  };
};
