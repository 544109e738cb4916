/**
 * Whether one set of latency samples is slower than another, judged with its spread: a percentile bootstrap
 * of the ratio of a statistic (median, p95) between the two sets, with a 99% interval (a diff judges two
statistics of every benchmark at once: at 95% one step in ten would read changed by chance). Samples are resampled in blocks of
 * consecutive ones (a moving-block bootstrap, blocks of about sqrt(n)): a burst of load on a shared machine
 * slows a run of neighbouring samples together, and resampling them one by one would take a burst for
 * evidence. A timing counts as changed only when the
 * whole 99% interval of the change lies beyond the minimum effect (e.g. above +20%): the diff must be sure
 * the change is at least that big, not merely that it exists, because a whole run on a loaded machine can be
 * a little slower than the next (seen here: p50 +22% [+5%, +69%] between two runs of the same code). Pure and
 * deterministic: the resampling uses a fixed seed, so the same two files always diff to the same words.
 */

export type Stat = 'p50' | 'p95';

export type TimingEvidence = {
  readonly stat: Stat;
  readonly old: number;
  readonly next: number;
  /** (next / old - 1) * 100 of the statistic. */
  readonly deltaPct: number;
  /** 99% bootstrap interval of deltaPct. */
  readonly lowPct: number;
  readonly highPct: number;
  readonly samples: readonly [number, number];
  readonly verdict: 'slower' | 'faster' | 'no change';
};

/** Resamples per comparison: enough for a stable 99% interval at some tens of ms per benchmark step. */
const RESAMPLES = 2000;
const TAIL = 0.005;
/** Fewer samples than this per side say nothing about spread: such steps are not judged. */
export const MIN_SAMPLES = 10;

const QUANTILE: Readonly<Record<Stat, number>> = { p50: 0.5, p95: 0.95 };

/** Nearest rank, as runner/execute/latency.ts computes the recorded percentiles. */
const quantile = (sorted: Float64Array, q: number): number => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

/** mulberry32: small, fast, and the same sequence on every machine. */
const random = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const resampled = (from: readonly number[], into: Float64Array, next: () => number, q: number): number => {
  const n = from.length;
  const block = Math.max(1, Math.ceil(Math.sqrt(n)));
  for (let i = 0; i < n; ) {
    const start = Math.floor(next() * (n - block + 1));
    for (let k = 0; k < block && i < n; k++, i++) into[i] = from[start + k]!;
  }
  into.sort();
  return quantile(into, q);
};

const sortedOf = (samples: readonly number[]): Float64Array => Float64Array.from(samples).sort();

/**
 * Below this change of the statistic itself a verdict is noise: a sub-millisecond lookup that moves by a
 * tenth of a millisecond measures the scheduler of a loaded machine (seen: p50 0.38 -> 0.52 ms, +38%
 * [+22%, +82%], between two runs of the same code).
 */
const MIN_EFFECT_MS = 1;

/**
 * The statistic's ratio between `old` and `next` samples with its 99% interval, and the verdict:
 * slower (faster) when the whole interval is above +minEffectPct (below -minEffectPct) and the statistic
 * moved by at least MIN_EFFECT_MS.
 */
export const compareSamples = (
  old: readonly number[],
  next: readonly number[],
  stat: Stat,
  minEffectPct: number,
  minEffectMs = MIN_EFFECT_MS,
): TimingEvidence | undefined => {
  if (old.length < MIN_SAMPLES || next.length < MIN_SAMPLES) return undefined;
  const q = QUANTILE[stat];
  const oldValue = quantile(sortedOf(old), q);
  const nextValue = quantile(sortedOf(next), q);
  if (oldValue <= 0) return undefined;
  const next01 = random(0x5eed ^ old.length ^ (next.length << 16));
  const a = new Float64Array(old.length);
  const b = new Float64Array(next.length);
  const ratios = new Float64Array(RESAMPLES);
  for (let i = 0; i < RESAMPLES; i++) {
    const base = resampled(old, a, next01, q);
    ratios[i] = base > 0 ? resampled(next, b, next01, q) / base : Number.POSITIVE_INFINITY;
  }
  ratios.sort();
  const pctOf = (ratio: number) => (ratio - 1) * 100;
  const deltaPct = pctOf(nextValue / oldValue);
  const lowPct = pctOf(ratios[Math.floor(TAIL * RESAMPLES)]!);
  const highPct = pctOf(ratios[Math.ceil((1 - TAIL) * RESAMPLES) - 1]!);
  const large = Math.abs(nextValue - oldValue) >= Math.max(MIN_EFFECT_MS, minEffectMs);
  const verdict = large && lowPct >= minEffectPct ? 'slower' : large && highPct <= -minEffectPct ? 'faster' : 'no change';
  return { stat, old: oldValue, next: nextValue, deltaPct, lowPct, highPct, samples: [old.length, next.length], verdict };
};

const signed = (pct: number): string => `${pct >= 0 ? '+' : ''}${Math.abs(pct) < 10 ? pct.toFixed(1) : Math.round(pct)}%`;

/** "p95 +38% [+21%, +55%], 200 samples each" */
export const evidenceText = (e: TimingEvidence): string => {
  const [a, b] = e.samples;
  return `${e.stat} ${signed(e.deltaPct)} [${signed(e.lowPct)}, ${signed(e.highPct)}], ${a === b ? `${a} samples each` : `${a} and ${b} samples`}`;
};
