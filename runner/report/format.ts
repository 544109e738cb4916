/**
 * How numbers, durations and cells read in every report. Pure; returns plain strings that the templates
 * escape (never SafeString: these carry database and spec values).
 */
import type { Status } from '../results/types.ts';
import type { Cell } from '../values/cell.ts';
import { formatMs } from '../wording.ts';

/** Metrics are mostly counts or milliseconds: integers stay exact, fractions get 2 decimals at most. */
export const formatNumber = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

export const formatMetric = (name: string, value: number): string => (name.endsWith('_ms') ? formatMs(value) : formatNumber(value));

export const formatPct = (pct: number): string => (pct === Infinity ? 'new' : `${pct > 0 ? '+' : ''}${pct.toFixed(pct !== 0 && Math.abs(pct) < 10 ? 1 : 0)}%`);

/** A cell as a person reads it: NULL spelled out, JSON as compact JSON, text as is. */
export const formatCell = (cell: Cell): string => {
  if (cell === null) return 'NULL';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
};

export const STATUS_ICON: Readonly<Record<Status, string>> = { passed: '✅', failed: '❌', errored: '💥', skipped: '⏭️' };
export const shortCommit = (commit: string | null): string | null => (commit === null ? null : commit.slice(0, 12));

export const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** ISO instant as `2026-11-26 10:00:05 UTC`; anything unparseable is shown as written. */
export const formatInstant = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};
