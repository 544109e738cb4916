/**
 * Latency statistics of a benchmark's samples. Percentiles use the nearest-rank method (the smallest
 * sample with at least p% of samples at or below it), so every statistic is a latency that was observed.
 */

export type LatencyStats = { avg_ms: number; p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number; min_ms: number };

/** Rounded to microseconds: finer digits are timer noise and would make results.json churn. */
export const roundMicros = (ms: number): number => Math.round(ms * 1000) / 1000;

/** All zeros for no samples, so results stay valid JSON (no NaN). */
export const latencyStats = (samplesMs: readonly number[]): LatencyStats => {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { avg_ms: 0, p50_ms: 0, p95_ms: 0, p99_ms: 0, max_ms: 0, min_ms: 0 };
  const percentile = (p: number): number => roundMicros(sorted[Math.max(1, Math.ceil((p * n) / 100)) - 1]!);
  return {
    avg_ms: roundMicros(sorted.reduce((sum, x) => sum + x, 0) / n),
    p50_ms: percentile(50),
    p95_ms: percentile(95),
    p99_ms: percentile(99),
    max_ms: roundMicros(sorted[n - 1]!),
    min_ms: roundMicros(sorted[0]!),
  };
};
