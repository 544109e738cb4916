/**
 * How dbspec words a count or a length of time, the same in every message, report and screen.
 */

/** `1 row`, `3 rows`: the count with its noun, which takes an `s` unless there is exactly one. */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A measured time, as precise as it is short: `0.42 ms`, `8.3 ms`, `412 ms`, `2.41 s`, `3 min 5 s`. */
export const formatMs = (ms: number): string => {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
};

/**
 * A configured limit (a timeout), as the user would have written it: `2 s`, `1.5 s`, `250 ms`. Not
 * formatMs: `2 s` must not read as the measured `2.00 s`.
 */
export const formatLimit = (ms: number): string =>
  ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
