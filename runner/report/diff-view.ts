/**
 * ResultsDiff -> the view the diff templates render, and the short text summary printed on stdout.
 */
import { hasChange, hasRegression } from '../results/diff.ts';
import type { NumberChange, ResultsDiff, RowsChange, RunRef, StatusChange } from '../results/diff.ts';
import type { Status } from '../results/types.ts';
import { formatInstant, formatMetric, formatMs, formatPct, shortCommit, STATUS_ICON } from './format.ts';
import { changedRowTables } from './row-table.ts';
import type { TableView } from './row-table.ts';

export type StatusChangeView = {
  readonly spec: string;
  readonly file: string;
  readonly step?: string;
  readonly phase?: string;
  readonly from?: Status;
  readonly to?: Status;
  readonly icon: string;
  readonly message?: string;
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

const statusView = (c: StatusChange): StatusChangeView => ({
  spec: c.spec,
  file: c.file,
  ...(c.step !== undefined ? { step: c.step } : {}),
  ...(c.phase && c.phase !== 'step' ? { phase: c.phase } : {}),
  ...(c.from ? { from: c.from } : {}),
  ...(c.to ? { to: c.to } : {}),
  icon: STATUS_ICON[c.to ?? c.from ?? 'skipped'],
  ...(c.message ? { message: c.message } : {}),
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
const withoutRedundantSpecs = (changes: readonly StatusChange[]): StatusChangeView[] => {
  const withSteps = new Set(changes.filter((c) => c.step !== undefined).map((c) => c.spec));
  return changes.filter((c) => c.step !== undefined || !withSteps.has(c.spec)).map(statusView);
};

const byPct = (a: NumberChange, b: NumberChange) => Math.abs(b.deltaPct) - Math.abs(a.deltaPct);

export const diffView = (d: ResultsDiff): DiffView => {
  const plainOld = label(d.old, 'old run');
  const plainNext = label(d.next, 'new run');
  // Two runs of the same release: tell them apart by when they started.
  const same = plainOld.label === plainNext.label;
  const old = same ? { ...plainOld, label: `${plainOld.label} (${plainOld.started})` } : plainOld;
  const next = same ? { ...plainNext, label: `${plainNext.label} (${plainNext.started})` } : plainNext;
  const verdict = hasRegression(d) ? 'regression' : hasChange(d) ? 'changed' : 'no changes';
  const worse = (list: readonly NumberChange[]) =>
    list
      .filter((c) => c.direction === 'worse')
      .sort(byPct)
      .map(numberView);
  const other = (list: readonly NumberChange[]) =>
    list
      .filter((c) => c.direction !== 'worse')
      .sort(byPct)
      .map(numberView);
  const statusSections: Section<StatusChangeView>[] = [
    { id: 'newly-failing', title: 'Newly failing', hint: 'passed (or skipped) before, fail now', items: withoutRedundantSpecs(d.newlyFailing), tone: 'bad' },
    { id: 'fixed', title: 'Fixed', hint: 'failed before, pass now', items: withoutRedundantSpecs(d.fixed), tone: 'good' },
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
  const numberSections: Section<NumberChangeView>[] = [
    { id: 'slower', title: 'Slower', hint: 'durations and *_ms metrics that got worse', items: [...worse(d.durations), ...worse(d.metrics)], tone: 'bad' },
    {
      id: 'faster',
      title: 'Faster',
      hint: 'durations and *_ms metrics that improved',
      items: [...other(d.durations), ...other(d.metrics).filter((m) => m.direction === 'better')],
      tone: 'good',
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
  const rowsChanged: Section<RowsChangeView> = {
    id: 'rows-changed',
    title: 'Actual rows changed',
    hint: 'steps failing in both runs whose actual rows or failure differ',
    items: d.rowsChanged.map((c) => rowsView(c, old.label, next.label)),
    tone: 'neutral',
  };
  const sections = [...statusSections, rowsChanged, ...numberSections];
  const failingNow = [...d.newlyFailing, ...d.appeared.filter((a) => a.to === 'failed' || a.to === 'errored')];
  const failingSpecs = new Set(failingNow.map((c) => c.spec)).size;
  const failingSteps = failingNow.filter((c) => c.step !== undefined).length;
  const slower = numberSections[0]!.items.length;
  const verdictText =
    verdict === 'regression'
      ? `Regression: ${[
          failingSpecs ? `${failingSpecs} spec${failingSpecs === 1 ? '' : 's'} newly failing (${failingSteps} step${failingSteps === 1 ? '' : 's'})` : '',
          slower ? `${slower} timing${slower === 1 ? '' : 's'} slower` : '',
        ]
          .filter(Boolean)
          .join(', ')}`
      : verdict === 'changed'
        ? `Changed, no regression`
        : 'No changes';
  return {
    title: `dbspec diff · ${old.label} → ${next.label}`,
    old,
    next,
    verdict,
    verdictText,
    thresholdNote: `Durations and *_ms metrics count only when they move by more than ${d.thresholdPct}% and more than ${d.minMs} ms; other metrics when they move by more than ${d.thresholdPct}%. Durations are compared only for specs and steps that passed in both runs. UUIDs and timestamps in actual rows are treated as fresh per run.`,
    statusSections,
    rowsChanged,
    numberSections,
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
        `  ${section.title.toLowerCase()}: ${where(item)}${item.from && item.to ? ` (${item.from} -> ${item.to})` : ''}${item.message ? `: ${item.message}` : ''}`,
      );
    if (items.length > maxLines) lines.push(`  ... and ${items.length - maxLines} more ${section.title.toLowerCase()}`);
  }
  for (const item of view.numberSections[0]!.items.slice(0, maxLines))
    lines.push(`  slower: ${where(item)} ${item.name} ${item.old} -> ${item.next} (${item.pct})`);
  lines.push(`  ${view.counts.map((c) => `${c.title.toLowerCase()} ${c.count}`).join(' · ')}`);
  lines.push(`  (timings count past ${d.thresholdPct}% and ${d.minMs} ms)`);
  return lines.join('\n') + '\n';
};
