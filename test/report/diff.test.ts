import assert from 'node:assert/strict';
import { diffResults, hasChange, hasRegression, hasSlowerTiming } from '../../runner/results/diff.ts';
import { readResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults, SpecResult, StepResult } from '../../runner/results/types.ts';

const fixture = (name: string) => readResults(new URL(`../fixtures/results/${name}.json`, import.meta.url).pathname);
// The fixtures time steps in single milliseconds: a 5 ms floor keeps their movements visible.
const OPTIONS = { thresholdPct: 20, minMs: 5 };

/** A copy of a run with one step replaced. */
const withStep = (run: RunResults, spec: string, step: string, change: (s: StepResult) => StepResult): RunResults => {
  const specs = run.specs.map((s): SpecResult => (s.name !== spec ? s : { ...s, steps: s.steps.map((t) => (t.name === step ? change(t) : t)) }));
  return { ...run, specs, summary: summarize(specs) };
};

describe('diffing two runs', () => {
  let passing: RunResults;
  let rerun: RunResults;
  let failing: RunResults;
  before(async () => {
    [passing, rerun, failing] = await Promise.all([fixture('passing'), fixture('passing-rerun'), fixture('failing')]);
  });

  it('two runs of the same code diff to no changes (timings within the threshold)', () => {
    const d = diffResults(passing, rerun, OPTIONS);
    assert.equal(hasChange(d), false, JSON.stringify(d));
    assert.equal(hasRegression(d), false);
    assert.deepEqual(diffResults(passing, passing, OPTIONS).durations, []);
  });

  it('finds newly failing specs and steps, appeared and disappeared ones, and moved metrics', () => {
    const d = diffResults(passing, failing, OPTIONS);
    assert.equal(hasRegression(d), true);
    const failingSteps = d.newlyFailing.filter((c) => c.step).map((c) => `${c.spec} › ${c.step}: ${c.from} -> ${c.to}`);
    assert.deepEqual(failingSteps, [
      'user data persists across services › backend profile matches: passed -> failed',
      'email lookups stay fast › lookups by email stay fast: passed -> failed',
      'threads {{x}} <b>roll back</b> cleanly › a failing transfer leaves nothing behind: passed -> errored',
    ]);
    assert.equal(d.newlyFailing.filter((c) => !c.step).map((c) => c.spec).length, 3);
    assert.deepEqual(
      d.otherStatus.map((c) => `${c.step}: ${c.from} -> ${c.to}`),
      ['only one of five concurrent redemptions wins: passed -> skipped'],
    );
    assert.deepEqual(
      d.appeared.map((c) => c.spec),
      ['billing totals <script>alert(1)</script> match'],
    );
    assert.deepEqual(
      d.disappeared.map((c) => c.spec),
      ['sessions expire after logout'],
    );
    const p95 = d.metrics.find((m) => m.name === 'p95_ms')!;
    assert.equal(p95.direction, 'worse');
    assert.ok(p95.deltaPct > 500);
    assert.partialDeepStrictEqual(
      d.metrics.find((m) => m.name === 'audit_logs_created'),
      { old: 3, next: 7, direction: 'changed' },
    );
    // average_pool_query_time_ms is both a step and a spec metric: reported once.
    assert.equal(d.metrics.filter((m) => m.name === 'average_pool_query_time_ms').length, 1);
  });

  it('reports fixes, and a fix alone is a change but not a regression', () => {
    const d = diffResults(failing, { ...failing, specs: passing.specs.filter((s) => failing.specs.some((f) => f.name === s.name)) }, OPTIONS);
    assert.deepEqual(
      d.fixed.filter((c) => c.step).map((c) => c.step),
      ['backend profile matches', 'lookups by email stay fast', 'a failing transfer leaves nothing behind'],
    );
    assert.match(d.fixed[0]!.message ?? '', /expected 2 rows/);
    assert.deepEqual(d.newlyFailing, []);
    assert.deepEqual(
      d.metrics.filter((m) => m.direction === 'worse'),
      [],
    );
    assert.equal(hasRegression(d), false);
    assert.equal(hasChange(d), true);
  });

  it('finds steps whose actual rows changed, ignoring fresh uuids and timestamps', () => {
    const step = 'backend profile matches';
    const spec = 'user data persists across services';
    const setRows =
      (rows: (string | null)[][]) =>
      (s: StepResult): StepResult => ({ ...s, failure: { ...s.failure!, actual: { columns: ['email', 'plan', 'seats'], rows } } });
    const a = withStep(failing, spec, step, setRows([['6f1c2b9e-8a4d-4c3e-9b1a-2d3e4f5a6b7c', '2026-11-25T10:00:00.123Z', '1']]));
    const sameShape = withStep(failing, spec, step, setRows([['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '2026-11-26 11:12:13.5+00', '1']]));
    assert.deepEqual(diffResults(a, sameShape, OPTIONS).rowsChanged, []);
    const changed = withStep(failing, spec, step, setRows([['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '2026-11-26 11:12:13.5+00', '2']]));
    const d = diffResults(a, changed, OPTIONS);
    assert.deepEqual(
      d.rowsChanged.map((c) => c.step),
      [step],
    );
    assert.equal(d.rowsChanged[0]!.next!.rows[0]![2], '2');
    assert.equal(hasChange(d), true);
    assert.equal(hasRegression(d), false);
  });

  it('shows a duration past both the percentage and the absolute floor, and gates on it only with --fail-on slower', () => {
    const spec = 'sessions expire after logout';
    const timed = (ms: number) => withStep(passing, spec, 'it holds', (s) => ({ ...s, durationMs: ms }));
    const steps = (a: number, b: number, thresholdPct = 20) => diffResults(timed(a), timed(b), { thresholdPct, minMs: 5 }).durations.filter((c) => c.step);
    assert.deepEqual(steps(2, 4), []); // +100% but only 2 ms
    assert.deepEqual(steps(100, 119), []); // 19 ms but only +19%
    assert.equal(steps(100, 125).length, 1);
    assert.partialDeepStrictEqual(steps(100, 125)[0], { direction: 'worse', old: 100, next: 125 });
    assert.deepEqual(steps(100, 125, 30), []);
    assert.partialDeepStrictEqual(steps(130, 100)[0], { direction: 'better' });
    assert.equal(hasRegression(diffResults(timed(100), timed(125), OPTIONS)), false, 'one wall time is not judged');
    assert.equal(hasChange(diffResults(timed(100), timed(125), OPTIONS)), false);
    assert.equal(hasSlowerTiming(diffResults(timed(100), timed(125), OPTIONS)), true);
    assert.equal(hasSlowerTiming(diffResults(timed(130), timed(100), OPTIONS)), false);
    assert.deepEqual(diffResults(timed(100), timed(125), { thresholdPct: 20, minMs: 30 }).durations, []);
  });

  it('a new spec that fails is a regression; a disappeared one is only a change', () => {
    const billing = failing.specs.find((s) => s.name.startsWith('billing'))!;
    const brokenNew: RunResults = { ...passing, specs: [...passing.specs, { ...billing, status: 'failed' }] };
    assert.equal(hasRegression(diffResults(passing, brokenNew, OPTIONS)), true);
    const fewer: RunResults = { ...passing, specs: passing.specs.slice(1) };
    const d = diffResults(passing, fewer, OPTIONS);
    assert.equal(d.disappeared.length, 1);
    assert.equal(hasRegression(d), false);
    assert.equal(hasChange(d), true);
  });
});
