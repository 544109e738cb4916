/** Benchmark statistics: nearest-rank percentiles, rounded to three decimals. */
import assert from 'node:assert/strict';
import { latencyStats } from '../../runner/execute/latency.ts';

describe('match-latency: latencyStats', () => {
  it('nearest-rank percentiles of 1..100 are the ranks themselves', () => {
    const samples = Array.from({ length: 100 }, (_, k) => 100 - k);
    assert.deepEqual(latencyStats(samples), { avg_ms: 50.5, p50_ms: 50, p95_ms: 95, p99_ms: 99, max_ms: 100, min_ms: 1 });
  });

  it('picks an observed sample, never an interpolation', () => {
    // Ranks: p50 -> ceil(2.5) = 3rd, p95 -> ceil(4.75) = 5th, p99 -> 5th.
    assert.deepEqual(latencyStats([5, 1, 4, 2, 3]), { avg_ms: 3, p50_ms: 3, p95_ms: 5, p99_ms: 5, max_ms: 5, min_ms: 1 });
    assert.deepEqual(latencyStats([10, 20]), { avg_ms: 15, p50_ms: 10, p95_ms: 20, p99_ms: 20, max_ms: 20, min_ms: 10 });
  });

  it('exact ranks do not round up through float error', () => {
    // 95% of 20 is exactly the 19th sample.
    const samples = Array.from({ length: 20 }, (_, k) => k + 1);
    assert.equal(latencyStats(samples).p95_ms, 19);
  });

  it('rounds to three decimals', () => {
    assert.deepEqual(latencyStats([1.23456, 2.0004]), { avg_ms: 1.617, p50_ms: 1.235, p95_ms: 2, p99_ms: 2, max_ms: 2, min_ms: 1.235 });
  });

  it('no samples: zeros, never NaN', () => {
    assert.deepEqual(latencyStats([]), { avg_ms: 0, p50_ms: 0, p95_ms: 0, p99_ms: 0, max_ms: 0, min_ms: 0 });
  });
});
