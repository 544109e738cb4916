/**
 * ResultsDiff -> the view the diff templates render, and the short text summary printed on stdout.
 */
import { hasChange, hasRegression } from '../results/diff.ts';
import type { NumberChange, ResultsDiff, RowsChange, RunRef, StatusChange, TimingChange } from '../results/diff.ts';
import { schemaChangeText } from '../results/schema-diff.ts';
import { evidenceText } from '../results/timing-evidence.ts';
import { noteSections, type NoteView } from './diff-notes.ts';
import type { Status } from '../results/types.ts';
import { formatInstant, formatMetric, formatPct, shortCommit, STATUS_ICON } from './format.ts';
import { changedRowTables } from './row-table.ts';
import type { TableView } from './row-table.ts';
import { formatMs } from '../wording.ts';
import { plural } from '../wording.ts';

export type StatusChangeView = {
  readonly spec: string;
  readonly file: string;
  readonly step?: string;
  readonly phase?: string;
  readonly from?: Status;
  readonly to?: Status;
  readonly icon: string;
  readonly message?: string;
  /** "spec edited" or "behaviour changed", with the schema changes that explain it. */
  readonly why?: string;
};
export type NumberChangeView = {
  readonly spec: string;
  readonly step?: string;
  readonly name: string;
  readonly old: string;
  readonly next: string;
  readonly pct: string;
  readonly direction: NumberChange['direction'];
};
export type RowsChangeView = {
  readonly spec: string;
  readonly step: string;
  readonly oldMessage?: string;
  readonly nextMessage?: string;
  readonly tables: readonly TableView[];
};
export type RunLabel = {
  readonly label: string;
  readonly release: string | null;
  readonly commit: string | null;
  readonly started: string;
  readonly duration: string;
  readonly interrupted: boolean;
  readonly summary: RunRef['summary'];
};
export type Section<T> = {
  readonly id: string;
  readonly title: string;
  readonly hint: string;
  readonly items: readonly T[];
  readonly tone: 'bad' | 'good' | 'neutral';
};

export type DiffView = {
  readonly title: string;
  readonly old: RunLabel;
  readonly next: RunLabel;
  readonly verdict: 'regression' | 'changed' | 'no changes';
  readonly verdictText: string;
  readonly thresholdNote: string;
  readonly statusSections: readonly Section<StatusChangeView>[];
  readonly rowsChanged: Section<RowsChangeView>;
  readonly numberSections: readonly Section<NumberChangeView>[];
  /** Schema and migration changes, edited specs, todos that now pass. */
  readonly noteSections: readonly Section<NoteView>[];
  readonly counts: readonly { readonly id: string; readonly title: string; readonly count: number; readonly tone: string }[];
};

const label = (ref: RunRef, fallback: string): RunLabel => ({
  label: ref.release ?? (ref.commit ? shortCommit(ref.commit)! : fallback),
  release: ref.release,
  commit: shortCommit(ref.commit),
  started: formatInstant(ref.startedAt),
  duration: formatMs(ref.durationMs),
  interrupted: ref.interrupted,
  summary: ref.summary,
});

const whyOf = (c: StatusChange, d: ResultsDiff): string | undefined => {
  const schema = (c.schemaChanges ?? []).map((i) => schemaChangeText(d.schema[i]!));
  if (!c.cause && schema.length === 0) return undefined;
  return [c.cause, ...schema].filter(Boolean).join(': ');
};

const statusView = (c: StatusChange, d?: ResultsDiff): StatusChangeView => ({
  spec: c.spec,
  file: c.file,
  ...(c.step !== undefined ? { step: c.step } : {}),
  ...(c.phase && c.phase !== 'step' ? { phase: c.phase } : {}),
  ...(c.from ? { from: c.from } : {}),
  ...(c.to ? { to: c.to } : {}),
  icon: STATUS_ICON[c.to ?? c.from ?? 'skipped'],
  ...(c.message ? { message: c.message } : {}),
  ...(d && whyOf(c, d) ? { why: whyOf(c, d)! } : {}),
});

const timingView = (c: TimingChange): NumberChangeView => ({
  spec: c.spec,
  step: c.step,
  name: c.stat,
  old: formatMs(c.old),
  next: formatMs(c.next),
  pct: evidenceText(c),
  direction: c.direction,
});

const numberView = (c: NumberChange): NumberChangeView => ({
  spec: c.spec,
  ...(c.step !== undefined ? { step: c.step } : {}),
  name: c.name,
  old: c.name === 'duration' ? formatMs(c.old) : formatMetric(c.name, c.old),
  next: c.name === 'duration' ? formatMs(c.next) : formatMetric(c.name, c.next),
  pct: formatPct(c.deltaPct),
  direction: c.direction,
});

const rowsView = (c: RowsChange, oldLabel: string, nextLabel: string): RowsChangeView => ({
  spec: c.spec,
  step: c.step,
  ...(c.oldMessage ? { oldMessage: c.oldMessage } : {}),
  ...(c.nextMessage ? { nextMessage: c.nextMessage } : {}),
  tables: changedRowTables(
    { title: `actual in ${oldLabel}`, ...(c.old ? { rows: c.old } : {}) },
    { title: `actual in ${nextLabel}`, ...(c.next ? { rows: c.next } : {}) },
    30,
  ),
});

/** A spec line adds nothing when the same list names its steps: keep the steps. */
const withoutRedundantSpecs = (changes: readonly StatusChange[], d?: ResultsDiff): StatusChangeView[] => {
  const withSteps = new Set(changes.filter((c) => c.step !== undefined).map((c) => c.spec));
  return changes.filter((c) => c.step !== undefined || !withSteps.has(c.spec)).map((c) => statusView(c, d));
};

const byPct = (a: NumberChange, b: NumberChange) => Math.abs(b.deltaPct) - Math.abs(a.deltaPct);

/** The two runs' labels; two runs of the same release are told apart by when they started. */
const runLabels = (d: ResultsDiff): { old: RunLabel; next: RunLabel } => {
  const old = label(d.old, 'old run');
  const next = label(d.next, 'new run');
  if (old.label !== next.label) return { old, next };
  return { old: { ...old, label: `${old.label} (${old.started})` }, next: { ...next, label: `${next.label} (${next.started})` } };
};

const statusSections = (d: ResultsDiff): Section<StatusChangeView>[] => [
  { id: 'newly-failing', title: 'Newly failing', hint: 'passed (or skipped) before, fail now', items: withoutRedundantSpecs(d.newlyFailing, d), tone: 'bad' },
  { id: 'fixed', title: 'Fixed', hint: 'failed before, pass now', items: withoutRedundantSpecs(d.fixed, d), tone: 'good' },
  {
    id: 'other-status',
    title: 'Other status changes',
    hint: 'e.g. failed → errored, passed → skipped',
    items: withoutRedundantSpecs(d.otherStatus),
    tone: 'neutral',
  },
  { id: 'appeared', title: 'Appeared', hint: 'specs and steps only in the new run', items: withoutRedundantSpecs(d.appeared), tone: 'neutral' },
  { id: 'disappeared', title: 'Disappeared', hint: 'specs and steps only in the old run', items: withoutRedundantSpecs(d.disappeared), tone: 'neutral' },
];

/** Sampled benchmark timings first (slower, faster: judged), then single timings and metrics (shown only). */
const numberSections = (d: ResultsDiff): Section<NumberChangeView>[] => {
  const moved = (list: readonly NumberChange[], worse: boolean) =>
    list
      .filter((c) => (c.direction === 'worse') === worse)
      .sort(byPct)
      .map(numberView);
  const timings = (direction: TimingChange['direction']) =>
    d.timings
      .filter((t) => t.direction === direction)
      .sort((a, b) => Math.abs(b.deltaPct) - Math.abs(a.deltaPct))
      .map(timingView);
  return [
    {
      id: 'slower',
      title: 'Slower',
      hint: 'benchmark percentiles whose samples moved beyond their spread and the threshold (99% interval in brackets)',
      items: timings('worse'),
      tone: 'bad',
    },
    { id: 'faster', title: 'Faster', hint: 'benchmark percentiles whose samples improved beyond their spread', items: timings('better'), tone: 'good' },
    {
      id: 'timings-not-judged',
      title: 'Single timings moved (not judged)',
      hint: 'one wall time per step or one *_ms number: noise on a loaded machine, so shown only (gate with --fail-on slower)',
      items: [
        ...moved(d.durations, true),
        ...moved(d.metrics, true),
        ...moved(d.durations, false),
        ...moved(d.metrics, false).filter((m) => m.direction === 'better'),
      ],
      tone: 'neutral',
    },
    {
      id: 'metrics',
      title: 'Metrics moved',
      hint: 'other metrics past the threshold (direction unknown)',
      items: d.metrics
        .filter((m) => m.direction === 'changed')
        .sort(byPct)
        .map(numberView),
      tone: 'neutral',
    },
  ];
};

/** The verdict in words: what regressed (specs, timings, and why), or that nothing did. */
const verdictText = (d: ResultsDiff, verdict: DiffView['verdict'], slower: number): string => {
  if (verdict === 'changed') return 'Changed, no regression';
  if (verdict !== 'regression') return `No changes${d.sampledSteps ? ` (${plural(d.sampledSteps, 'benchmark step')} compared by samples)` : ''}`;
  const failingNow = [...d.newlyFailing, ...d.appeared.filter((a) => a.to === 'failed' || a.to === 'errored')];
  const failingSpecs = new Set(failingNow.map((c) => c.spec)).size;
  const failingSteps = failingNow.filter((c) => c.step !== undefined).length;
  const causes = [...new Set(failingNow.flatMap((c) => [...(c.schemaChanges ?? [])]))].map(
    (i) =>
      `${schemaChangeText(d.schema[i]!)} → ${plural(failingNow.filter((c) => c.step !== undefined && c.schemaChanges?.includes(i)).length, 'step')} newly failing`,
  );
  const edited = failingNow.filter((c) => c.step !== undefined && c.cause === 'spec edited').length;
  return `Regression: ${[
    failingSpecs ? `${plural(failingSpecs, 'spec')} newly failing (${plural(failingSteps, 'step')})` : '',
    slower ? `${plural(slower, 'timing')} slower` : '',
    edited ? `spec edited: ${plural(edited, 'step')}` : '',
    causes.length ? `behaviour changed: ${causes.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join(', ')}`;
};

export const diffView = (d: ResultsDiff): DiffView => {
  const { old, next } = runLabels(d);
  const verdict = hasRegression(d) ? 'regression' : hasChange(d) ? 'changed' : 'no changes';
  const status = statusSections(d);
  const numbers = numberSections(d);
  const rowsChanged: Section<RowsChangeView> = {
    id: 'rows-changed',
    title: 'Actual rows changed',
    hint: 'steps failing in both runs whose actual rows or failure differ',
    items: d.rowsChanged.map((c) => rowsView(c, old.label, next.label)),
    tone: 'neutral',
  };
  const notes = noteSections(d);
  const sections = [...status, rowsChanged, ...numbers, ...notes];
  return {
    title: `dbspec diff · ${old.label} → ${next.label}`,
    old,
    next,
    verdict,
    verdictText: verdictText(d, verdict, numbers[0]!.items.length),
    thresholdNote: `Benchmark p50 and p95 are judged from their samples: slower or faster only when the whole 99% bootstrap interval of the change (resampled in blocks of neighbouring samples) lies beyond ${d.thresholdPct}%. Step durations and other *_ms numbers are single samples: shown when they move by more than ${d.thresholdPct}% and ${d.minMs} ms, never judged unless --fail-on slower. Other metrics count past ${d.thresholdPct}%. UUIDs and timestamps in actual rows are treated as fresh per run.`,
    statusSections: status,
    rowsChanged,
    numberSections: numbers,
    noteSections: notes,
    counts: sections.map((s) => ({ id: s.id, title: s.title, count: s.items.length, tone: s.items.length ? s.tone : 'zero' })),
  };
};

const where = (c: { spec: string; step?: string }) => (c.step !== undefined ? `${c.spec} › ${c.step}` : c.spec);

/** A few lines for the terminal: the verdict, what regressed (capped), and the counts. */
export const diffText = (d: ResultsDiff, maxLines = 10): string => {
  const view = diffView(d);
  const lines = [`dbspec diff: ${view.old.label} -> ${view.next.label}: ${view.verdictText}`];
  for (const section of view.statusSections.slice(0, 2)) {
    const items = section.items;
    for (const item of items.slice(0, maxLines))
      lines.push(
        `  ${section.title.toLowerCase()}: ${where(item)}${item.from && item.to ? ` (${item.from} -> ${item.to})` : ''}${item.message ? `: ${item.message}` : ''}${item.why ? ` [${item.why}]` : ''}`,
      );
    if (items.length > maxLines) lines.push(`  ... and ${items.length - maxLines} more ${section.title.toLowerCase()}`);
  }
  for (const item of view.numberSections[0]!.items.slice(0, maxLines))
    lines.push(`  slower: ${where(item)} ${item.name} ${item.old} -> ${item.next} (${item.pct})`);
  for (const section of view.noteSections) for (const item of section.items.slice(0, maxLines)) lines.push(`  ${section.title.toLowerCase()}: ${item.text}`);
  const counted = view.counts.filter((c) => c.count > 0);
  if (counted.length > 0) lines.push(`  ${counted.map((c) => `${c.title.toLowerCase()} ${c.count}`).join(' · ')}`);
  lines.push(`  (benchmarks judged by their samples past ${d.thresholdPct}%; single durations shown, not judged)`);
  return lines.join('\n') + '\n';
};
