/**
 * Trend -> the view trend.html and trend.md render: a status strip per spec across releases, regressions,
 * fixes and flaky steps apart, sparklines per metric and benchmark percentile, and what changed in each
 * release. Plain data; the templates escape every value.
 */
import type { StepHistory, Trend, Verdict } from '../results/trend.ts';
import type { Status } from '../results/types.ts';
import { sparkline, type Sparkline } from './charts.ts';
import { formatInstant, formatMetric, STATUS_ICON } from './format.ts';
import { plural } from '../wording.ts';

export type StripCell = { readonly icon: string; readonly status: Status | 'absent'; readonly release: string; readonly edited: boolean };
export type StepRow = {
  readonly spec: string;
  readonly step: string;
  readonly since?: string;
  readonly strip: string;
  readonly flips: number;
  readonly unexplainedFlips: number;
  readonly message?: string;
};
export type VerdictSection = { readonly id: Verdict; readonly title: string; readonly hint: string; readonly tone: string; readonly items: readonly StepRow[] };

export type TrendView = {
  readonly title: string;
  readonly first: string;
  readonly last: string;
  readonly releases: readonly { readonly label: string; readonly commit: string | null; readonly started: string; readonly interrupted: boolean }[];
  readonly verdictText: string;
  readonly specRows: readonly { readonly spec: string; readonly file: string; readonly cells: readonly StripCell[]; readonly strip: string }[];
  readonly sections: readonly VerdictSection[];
  readonly metrics: readonly { readonly spec: string; readonly step?: string; readonly name: string; readonly spark: Sparkline; readonly values: string }[];
  readonly changes: readonly { readonly release: string; readonly items: readonly { readonly kind: string; readonly text: string }[] }[];
};

const icon = (s: Status | null) => (s === null ? '·' : STATUS_ICON[s]);

const SECTIONS: readonly Omit<VerdictSection, 'items'>[] = [
  { id: 'regression', title: 'Regressions', hint: 'passed, then failed and still fail: since the release named', tone: 'bad' },
  {
    id: 'flaky',
    title: 'Flaky',
    hint: 'flip between pass and fail with no change to their spec or the schema of their databases',
    tone: 'neutral',
  },
  { id: 'fixed', title: 'Fixed', hint: 'failed, then passed and still pass: since the release named', tone: 'good' },
  { id: 'failing', title: 'Failing throughout', hint: 'failed in every release they ran in', tone: 'bad' },
];

const stepRow = (h: StepHistory, labels: readonly string[]): StepRow => ({
  spec: h.spec,
  step: h.phase === 'step' ? h.step : `${h.phase}: ${h.step}`,
  ...(h.since !== undefined ? { since: labels[h.since]! } : {}),
  strip: h.statuses.map(icon).join(''),
  flips: h.flips,
  unexplainedFlips: h.unexplainedFlips,
  ...(h.message ? { message: h.message } : {}),
});

export const trendView = (t: Trend): TrendView => {
  const labels = t.releases.map((r) => r.label);
  const sections = SECTIONS.map((s) => ({ ...s, items: t.steps.filter((h) => h.verdict === s.id).map((h) => stepRow(h, labels)) }));
  const count = (id: Verdict) => sections.find((s) => s.id === id)!.items.length;
  const verdictText = `${plural(t.releases.length, 'release')}: ${plural(count('regression'), 'regression')}, ${plural(count('flaky'), 'flaky step')}, ${count('fixed')} fixed, ${count('failing')} failing throughout`;
  const byRelease = new Map<number, { kind: string; text: string }[]>();
  for (const c of t.changes) byRelease.set(c.release, [...(byRelease.get(c.release) ?? []), { kind: c.kind, text: c.text }]);
  return {
    title: `dbspec trend · ${labels[0] ?? ''} → ${labels.at(-1) ?? ''}`,
    first: labels[0] ?? '',
    last: labels.at(-1) ?? '',
    releases: t.releases.map((r) => ({
      label: r.label,
      commit: r.commit?.slice(0, 12) ?? null,
      started: formatInstant(r.startedAt),
      interrupted: r.interrupted,
    })),
    verdictText,
    specRows: t.specs.map((s) => ({
      spec: s.spec,
      file: s.file,
      cells: s.statuses.map((status, i) => ({ icon: icon(status), status: status ?? 'absent', release: labels[i]!, edited: s.edited.includes(i) })),
      strip: s.statuses.map(icon).join(''),
    })),
    sections,
    metrics: t.metrics.map((m) => ({
      spec: m.spec,
      ...(m.step !== undefined ? { step: m.step } : {}),
      name: m.name,
      spark: sparkline(m.values, { format: (v) => formatMetric(m.name, v) }),
      values: m.values.map((v) => (v === null ? '-' : formatMetric(m.name, v))).join(' → '),
    })),
    changes: [...byRelease].map(([release, items]) => ({ release: labels[release]!, items })),
  };
};
