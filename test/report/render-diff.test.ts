import assert from 'node:assert/strict';
import { diffText } from '../../runner/report/diff-view.ts';
import { renderDiffHtml, renderDiffMarkdown } from '../../runner/report/render-diff.ts';
import { diffResults } from '../../runner/results/diff.ts';
import { readResults } from '../../runner/results/read.ts';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';

const fixture = (name: string) => readResults(new URL(`../fixtures/results/${name}.json`, import.meta.url).pathname);

describe('diff rendering', () => {
  let passing: RunResults;
  let rerun: RunResults;
  let failing: RunResults;
  before(async () => {
    [passing, rerun, failing] = await Promise.all([fixture('passing'), fixture('passing-rerun'), fixture('failing')]);
  });

  it('diff.html leads with the verdict and lists what newly fails, appeared, disappeared, and single timings that moved (not judged)', () => {
    const html = renderDiffHtml(diffResults(passing, failing, { thresholdPct: 20, minMs: 5 }));
    assert.match(html, /<h1>dbspec diff · v1\.4\.0<span class="arrow">→<\/span>v1\.5\.0<\/h1>/);
    assert.match(html, /class="verdict bad" id="verdict">Regression: 3 specs newly failing \(3 steps\)</);
    assert.match(html, /<a class="count bad" href="#newly-failing"><b>3<\/b>Newly failing<\/a>/);
    assert.match(
      html,
      /<section class="card section bad" id="newly-failing">[\s\S]*?backend profile matches<\/td><td><span class="badge passed">passed<\/span><\/td><td><span class="badge failed">failed<\/span><\/td><td>expected 2 rows, got 3/,
    );
    assert.match(html, /id="appeared">[\s\S]*?billing totals &lt;script&gt;alert\(1\)&lt;\/script&gt; match/);
    assert.match(html, /id="disappeared">[\s\S]*?sessions expire after logout/);
    assert.match(html, /<td class="mono">p95_ms<\/td><td class="n">15 ms<\/td><td class="n">88 ms<\/td><td class="n worse">\+504%<\/td>/);
    assert.match(html, /id="timings-not-judged"><h2>Single timings moved \(not judged\)/);
    assert.ok(html.includes('more than 20% and 5 ms, never judged unless --fail-on slower'));
  });

  it('shows actual rows that changed between runs side by side, the changed cells marked', () => {
    const withActual = (run: RunResults, plan: string): RunResults => ({
      ...run,
      specs: run.specs.map(
        (s): SpecResult => ({
          ...s,
          steps: s.steps.map((t) =>
            t.failure?.actual ? { ...t, failure: { ...t.failure, actual: { columns: ['email', 'plan'], rows: [['bob@example.test', plan]] } } } : t,
          ),
        }),
      ),
    });
    const d = diffResults(withActual(failing, 'enterprise'), withActual(failing, 'free'), { thresholdPct: 20, minMs: 5 });
    const html = renderDiffHtml(d);
    assert.match(html, /id="rows-changed"><h2>Actual rows changed <small>1<\/small>/);
    assert.ok(html.includes('<td class="mark">enterprise</td>'));
    assert.ok(html.includes('<td class="mark">free</td>'));
    assert.ok(!html.includes('<td class="mark">bob@example.test</td>'));
    assert.match(renderDiffMarkdown(d), /\| 1 \| bob@example\.test \| 🔸free \|/);
    assert.match(diffText(d), /Changed, no regression/);
  });

  it('diff.md is compact Markdown with the same verdict', () => {
    const md = renderDiffMarkdown(diffResults(passing, failing, { thresholdPct: 20, minMs: 5 }));
    assert.match(md, /^## ❌ dbspec diff v1\.4\.0 → v1\.5\.0: Regression: 3 specs newly failing \(3 steps\)\n/);
    assert.ok(md.includes('| specs failed | 0 | 2 |'));
    assert.ok(md.includes('### Newly failing (3)'));
    assert.ok(md.includes('| user data persists across services | backend profile matches | passed | failed | expected 2 rows, got 3 (1 differs, 1 extra) |'));
    assert.ok(md.includes('| email lookups stay fast | lookups by email stay fast | p95\\_ms | 15 ms | 88 ms | +504% |'));
  });

  it('two runs of the same code read "No changes" everywhere', () => {
    const d = diffResults(passing, rerun, { thresholdPct: 20, minMs: 5 });
    assert.match(renderDiffHtml(d), /class="verdict ok" id="verdict">No changes</);
    assert.match(renderDiffMarkdown(d), /^## ✅ dbspec diff v1\.4\.0 \(2026-11-25 10:00:00 UTC\) → v1\.4\.0 \(2026-11-25 11:00:00 UTC\): No changes/);
    assert.match(diffText(d), /^dbspec diff: .*: No changes\n/);
  });

  it('the text summary names what regressed, once per step', () => {
    const text = diffText(diffResults(passing, failing, { thresholdPct: 20, minMs: 5 }));
    assert.match(text, /^dbspec diff: v1\.4\.0 -> v1\.5\.0: Regression/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('  newly failing:')).length, 3);
    assert.match(text, /single timings moved \(not judged\) 6/);
    assert.doesNotMatch(text, /slower:/, 'one wall time per run is not evidence');
  });
});
