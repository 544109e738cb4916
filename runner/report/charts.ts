/**
 * Geometry for the small inline SVG bar charts (time per spec, latency percentiles). The template draws the
 * shapes; labels stay plain strings so Handlebars escapes them like any other text.
 */
import { truncate } from './format.ts';
import { formatMs } from '../wording.ts';

export type Bar = { readonly label: string; readonly value: number; readonly tone: string };
export type BarView = {
  readonly y: number;
  readonly textY: number;
  readonly width: number;
  readonly valueX: number;
  readonly label: string;
  readonly fullLabel: string;
  readonly valueText: string;
  readonly tone: string;
};
export type BarChart = {
  readonly width: number;
  readonly height: number;
  readonly labelWidth: number;
  readonly barX: number;
  readonly bars: readonly BarView[];
  readonly title: string;
};

const ROW = 20;
const BAR = 14;

/** Horizontal bars scaled to the largest value; labels cut to fit the label column. */
export const barChart = (
  title: string,
  bars: readonly Bar[],
  options: { labelWidth?: number; width?: number; format?: (v: number) => string } = {},
): BarChart => {
  const width = options.width ?? 720;
  const labelWidth = options.labelWidth ?? 280;
  const format = options.format ?? formatMs;
  const barX = labelWidth + 8;
  const span = width - barX - 80;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const maxChars = Math.floor(labelWidth / 6.6);
  return {
    title,
    width,
    labelWidth,
    barX,
    height: bars.length * ROW + 4,
    bars: bars.map((b, i) => {
      const w = Math.max(1, Math.round((b.value / max) * span));
      return {
        y: i * ROW + 3,
        textY: i * ROW + 3 + BAR - 3,
        width: w,
        valueX: barX + w + 6,
        label: truncate(b.label, maxChars),
        fullLabel: b.label,
        valueText: format(b.value),
        tone: b.tone,
      };
    }),
  };
};

export type Sparkline = {
  readonly width: number;
  readonly height: number;
  /** SVG polyline points, "x,y x,y ..."; a gap (null) starts a new line. */
  readonly lines: readonly string[];
  readonly last?: { readonly x: number; readonly y: number };
  readonly min: string;
  readonly max: string;
  readonly latest: string;
};

/** A small line over the releases, scaled between the series' own min and max; null values leave gaps. */
export const sparkline = (values: readonly (number | null)[], options: { width?: number; height?: number; format?: (v: number) => string } = {}): Sparkline => {
  const width = options.width ?? 120;
  const height = options.height ?? 24;
  const format = options.format ?? formatMs;
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const span = hi - lo || 1;
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const lines: string[] = [];
  let current: string[] = [];
  let last: { x: number; y: number } | undefined;
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) lines.push(current.join(' '));
      current = [];
      return;
    }
    const x = Math.round((2 + i * step) * 10) / 10;
    const y = Math.round((height - 2 - ((v - lo) / span) * (height - 4)) * 10) / 10;
    current.push(`${x},${y}`);
    last = { x, y };
  });
  if (current.length) lines.push(current.join(' '));
  return {
    width,
    height,
    lines,
    ...(last ? { last } : {}),
    min: known.length ? format(lo) : '-',
    max: known.length ? format(hi) : '-',
    latest: known.length ? format(known.at(-1)!) : '-',
  };
};
