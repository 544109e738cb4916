/**
 * One step as the report shows it: its heading, place and SQL, its failure with the row tables and leaks,
 * its latency chart, and its entry in the list of failures at the top of the report.
 */
import { placeIn } from '../results/place.ts';
import type { Failure, Place, SpecResult, Status, StepResult } from '../results/types.ts';
import { barChart, type BarChart } from './charts.ts';
import { formatMetric, STATUS_ICON } from './format.ts';
import { cleanupView, leakViews, type LeakView } from './leak-view.ts';
import { rowTables, type TableView } from './row-table.ts';
import { formatMs } from '../wording.ts';

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

export type LatencyChartView = { readonly spec: string; readonly step: string; readonly stepId: string; readonly chart: BarChart };

export const isOk = (s: Status) => s === 'passed' || s === 'skipped';
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

export const metricViews = (metrics: Readonly<Record<string, number>> | undefined): MetricView[] =>
  Object.keys(metrics ?? {})
    .sort()
    .map((name) => ({ name, value: formatMetric(name, metrics![name]!) }));

/** A step's place as its spec's section shows it: `line 12:5` in the spec's own file (then any fixture's place). */
const relativePlace = (step: StepResult, specFile: string): string => {
  const text = (p: Place): string =>
    p.via ? `${text(p.via)} → ${p.file}:${p.line}:${p.col}` : p.file === specFile ? `line ${p.line}:${p.col}` : `${p.file}:${p.line}:${p.col}`;
  const at = placeIn(step);
  return at ? text(at) : step.location;
};

/** Benchmark steps: those with at least two `*_ms` metrics, which get a latency chart. */
export const hasLatency = (step: StepResult): boolean => Object.keys(step.metrics ?? {}).filter((m) => m.endsWith('_ms')).length >= 2;

export type StepParts = { readonly view: StepView; readonly failure?: FailureListItem; readonly latency?: LatencyChartView };

/** What the report shows of one step: its view, its entry in the failure list, its latency chart. */
export const stepParts = (spec: SpecResult, specId: string, step: StepResult, id: string, inlineCharts: boolean, maxRows: number): StepParts => {
  const failure = step.failure ? failureView(step.failure, maxRows) : undefined;
  const latency = latencyChart(`${step.name}: latency`, step.metrics);
  // Hundreds of benchmark steps would make the report heavy: then only failing ones keep a chart inline.
  const inlineLatency = latency && (!isOk(step.status) || inlineCharts);
  const view: StepView = {
    id,
    anchor: !isOk(step.status) || latency !== undefined,
    name: step.name,
    phase: step.phase,
    showPhase: step.phase !== 'step',
    kind: step.kind,
    showKind: step.kind !== 'query' || !step.db,
    ...(step.db ? { db: step.db } : {}),
    // The spec's file is in its heading: a step shows where in it ("line 12:5").
    location: relativePlace(step, spec.file),
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
  return {
    view,
    ...(failure && !isOk(step.status) ? { failure: failureItem(spec, specId, step, id, failure) } : {}),
    ...(latency ? { latency: { spec: spec.name, step: step.name, stepId: id, chart: latency } } : {}),
  };
};

const failureItem = (spec: SpecResult, specId: string, step: StepResult, stepId: string, failure: FailureView): FailureListItem => ({
  specId,
  stepId,
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
