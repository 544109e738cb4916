import assert from 'node:assert/strict';
import { readResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import { buildTrend } from '../../runner/results/trend.ts';
import type { RunResults, SchemaSnapshot, Status } from '../../runner/results/types.ts';
import { renderTrendHtml, renderTrendMarkdown } from '../../runner/report/render-trend.ts';

const SPEC = 'user data persists across services';
const SCHEMA = (fingerprint: string): SchemaSnapshot => ({ fingerprint: fingerprint.repeat(64), objects: [] });

describe('trend classification', () => {
  let base: RunResults;
  before(async () => {
    base = await readResults(new URL('../fixtures/results/passing.json', import.meta.url).pathname);
  });

  /** One release: the first step of SPEC has `status`; the spec and schema fingerprints are as given. */
  const release = (i: number, status: Status, opts: { spec?: string; schema?: string } = {}): RunResults => {
    const specs = base.specs.map((s) =>
      s.name !== SPEC
        ? s
        : {
            ...s,
            status: status === 'failed' ? ('failed' as const) : s.status,
            ...(opts.spec ? { source: { fingerprint: opts.spec.repeat(64), files: [{ path: s.file, sha256: opts.spec.repeat(64) }] } } : {}),
            steps: s.steps.map((st, k) =>
              k === 1 ? { ...st, status, ...(status === 'failed' ? { failure: { code: 'ROWS_MISMATCH', message: 'no' } } : {}) } : st,
            ),
          },
    );
    const databases = Object.fromEntries(Object.entries(base.databases).map(([n, db]) => [n, opts.schema ? { ...db, schema: SCHEMA(opts.schema) } : db]));
    return { ...base, release: `r${i}`, databases, specs, summary: summarize(specs) };
  };
  const verdictOf = (runs: RunResults[]) =>
    buildTrend(runs).steps.find((s) => s.spec === SPEC && s.step === base.specs.find((x) => x.name === SPEC)!.steps[1]!.name)!;

  it('a flip back and forth with nothing changed is flaky; the same with the schema changing at each flip is not', () => {
    const same = { spec: 'a', schema: 'b' };
    const flaky = verdictOf([release(0, 'passed', same), release(1, 'failed', same), release(2, 'passed', same)]);
    assert.equal(flaky.verdict, 'flaky');
    assert.equal(flaky.unexplainedFlips, 2);
    const explained = verdictOf([
      release(0, 'passed', same),
      release(1, 'failed', { spec: 'a', schema: 'c' }),
      release(2, 'passed', { spec: 'a', schema: 'd' }),
    ]);
    assert.equal(explained.verdict, 'fixed');
    assert.equal(explained.since, 2);
  });

  it('a regression and a fix carry the release where they appeared; skipped releases are stepped over', () => {
    const same = { spec: 'a', schema: 'b' };
    const regression = verdictOf([release(0, 'passed', same), release(1, 'skipped', same), release(2, 'failed', same), release(3, 'failed', same)]);
    assert.deepEqual([regression.verdict, regression.since, regression.flips], ['regression', 2, 1]);
    assert.equal(verdictOf([release(0, 'failed', same), release(1, 'failed', same)]).verdict, 'failing');
    assert.equal(verdictOf([release(0, 'passed', same), release(1, 'passed', same)]).verdict, 'stable');
  });

  it('results without fingerprints (older files) never read as flaky', () => {
    assert.equal(verdictOf([release(0, 'passed'), release(1, 'failed'), release(2, 'passed')]).verdict, 'fixed');
  });

  it('renders the strip, the verdict sections and sparklines, escaped', () => {
    const same = { spec: 'a', schema: 'b' };
    const trend = buildTrend([release(0, 'passed', same), release(1, 'failed', same), release(2, 'passed', same)]);
    const md = renderTrendMarkdown(trend);
    assert.match(md, /^## 📈 dbspec trend r0 → r2: 3 releases: 0 regressions, 1 flaky step, 0 fixed, 0 failing throughout/);
    assert.match(md, /### Flaky \(1\)/);
    assert.match(md, /\| user data persists across services \| ✅❌✅ \|/);
    const html = renderTrendHtml(trend);
    assert.ok(!html.includes('<script'), 'no script, even from spec names');
  });
});
