import assert from 'node:assert/strict';
import { compareSamples, evidenceText } from '../../runner/results/timing-evidence.ts';

/** Latencies like a loaded machine's: a 2 ms floor, a long right tail (log-normal), some outliers. */
const noisy = (n: number, seed: number, scale = 1): number[] => {
  let a = seed;
  const rand = () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  return Array.from({ length: n }, () => {
    const u = Math.max(1e-9, rand());
    const v = rand();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    const outlier = rand() < 0.03 ? 20 * rand() : 0;
    return scale * (2 + Math.exp(0.6 * normal) + outlier);
  });
};

describe('timing judged from samples', function () {
  this.timeout(60_000);
  it('two sets drawn from the same noisy distribution are "no change", whatever the seed', () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const stat of ['p50', 'p95'] as const) {
        const e = compareSamples(noisy(200, seed), noisy(200, seed + 1000), stat, 20)!;
        assert.equal(e.verdict, 'no change', `seed ${seed} ${stat}: ${evidenceText(e)}`);
        assert.ok(e.lowPct <= e.deltaPct && e.deltaPct <= e.highPct, evidenceText(e));
      }
    }
  });

  it('a real 60% slowdown is "slower", with an interval around the estimate', () => {
    const e = compareSamples(noisy(200, 7), noisy(200, 8, 1.6), 'p50', 20)!;
    assert.equal(e.verdict, 'slower', evidenceText(e));
    assert.ok(e.lowPct >= 20 && e.lowPct <= e.deltaPct && e.deltaPct <= e.highPct);
    assert.match(evidenceText(e), /^p50 \+\d+% \[\+\d+(\.\d)?%, \+\d+%\], 200 samples each$/);
    assert.equal(compareSamples(noisy(200, 8, 1.6), noisy(200, 7), 'p50', 20)!.verdict, 'faster');
  });

  it('a slowdown smaller than an explicit minimum in ms (--min-ms) is "no change"', () => {
    // p50 about 3 ms -> 4.8 ms: +60%, but under 2 ms.
    assert.equal(compareSamples(noisy(200, 7), noisy(200, 8, 1.6), 'p50', 20, 2)!.verdict, 'no change');
    assert.equal(compareSamples(noisy(200, 7), noisy(200, 8, 1.6), 'p50', 20, 1)!.verdict, 'slower');
  });

  it('a change the diff cannot be sure reaches the minimum effect is "no change", even when it is certain to exist', () => {
    const old = noisy(2000, 3);
    const e = compareSamples(
      old,
      old.map((x) => x * 1.1),
      'p50',
      20,
    )!;
    assert.ok(e.lowPct > 0, 'the 10% shift is beyond noise');
    assert.equal(e.verdict, 'no change');
  });

  it('is deterministic, and refuses to judge fewer than 10 samples a side', () => {
    assert.deepEqual(compareSamples(noisy(100, 1), noisy(100, 2), 'p95', 20), compareSamples(noisy(100, 1), noisy(100, 2), 'p95', 20));
    assert.equal(compareSamples([1, 2, 3], noisy(100, 2), 'p50', 20), undefined);
  });
});

describe('timing evidence: an absolute floor', () => {
  it('a sub-millisecond statistic moving by less than 1 ms is no change, whatever its interval', () => {
    const fast = Array.from({ length: 60 }, (_, i) => 0.38 + (i % 5) * 0.001);
    const slower = Array.from({ length: 60 }, (_, i) => 0.52 + (i % 5) * 0.001);
    assert.equal(compareSamples(fast, slower, 'p50', 20)!.verdict, 'no change');
  });
});
