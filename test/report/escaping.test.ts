import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDiffHtml, renderDiffMarkdown } from '../../runner/report/render-diff.ts';
import { renderReportHtml, renderReportMarkdown } from '../../runner/report/render.ts';
import { diffResults } from '../../runner/results/diff.ts';
import { readResults } from '../../runner/results/read.ts';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const filesUnder = async (dir: string, ext: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));

const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '{{x}}',
  '{{{x}}}',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</pre><script>alert(2)</script>',
  '&lt;already&gt;',
  '<svg onload=alert(3)>',
];

/** Every string a person or database can put in results, set to hostile text. */
const poisoned = (run: RunResults): RunResults => {
  let i = 0;
  const next = () => HOSTILE[i++ % HOSTILE.length]!;
  const specs = run.specs.map(
    (spec): SpecResult => ({
      ...spec,
      name: `${spec.name} ${next()}`,
      description: next(),
      tags: [...spec.tags, next()],
      file: `${spec.file}${next()}`,
      metrics: { ...spec.metrics, [`${next()}_ms`]: 12 },
      steps: spec.steps.map((step) => ({
        ...step,
        name: `${step.name} ${next()}`,
        kind: next(),
        db: next(),
        location: next(),
        sql: [next()],
        metrics: { [next()]: 1, [`${next()}_ms`]: 3, avg_ms: 2 },
        ...(step.failure
          ? {
              failure: {
                ...step.failure,
                message: next(),
                code: 'ROWS_MISMATCH',
                location: next(),
                error: { code: next(), message: next(), constraint: next() },
                expected: { columns: [next()], rows: [[next()], [{ k: next() }]] },
                actual: { columns: [next()], rows: [[next()]] },
                mismatches: [{ expectedRow: 0, actualRow: 0, column: next() }],
              },
            }
          : {}),
      })),
    }),
  );
  return { ...run, release: next(), commit: next(), databases: { [next()]: { serverVersion: next(), embedded: false } }, specs };
};

describe('escaping of spec and database values', () => {
  it('no template uses triple braces, and no report code makes a SafeString', async () => {
    for (const file of await filesUnder(join(REPO, 'reports', 'templates'), '.hbs')) {
      assert.doesNotMatch(await readFile(file, 'utf8'), /\{\{\{|\{\{&/, `${file} renders something unescaped`);
    }
    for (const file of await filesUnder(join(REPO, 'runner', 'report'), '.ts')) {
      assert.doesNotMatch(await readFile(file, 'utf8'), /SafeString\s*\(|noEscape\s*:/, `${file} bypasses escaping`);
    }
  });

  it('hostile text anywhere in the results shows as text in every report and diff', async () => {
    const failing = poisoned(await readResults(fileURLToPath(new URL('../fixtures/results/failing.json', import.meta.url))));
    const clean = await readResults(fileURLToPath(new URL('../fixtures/results/passing.json', import.meta.url)));
    const diff = diffResults(clean, failing, { thresholdPct: 20 });
    const outputs = {
      'report.html': renderReportHtml(failing),
      'report.md': renderReportMarkdown(failing),
      'diff.html': renderDiffHtml(diff),
      'diff.md': renderDiffMarkdown(diff),
    };
    for (const [name, text] of Object.entries(outputs)) {
      const leak = /<script|<img|<svg onload|' onmouseover=|<\/pre><script/i.exec(text);
      assert.equal(leak, null, `${name} let markup through: ${leak ? text.slice(Math.max(0, leak.index - 80), leak.index + 80) : ''}`);
      assert.ok(text.includes('{{x}}'), `${name} should show {{x}} as written`);
      if (name.startsWith('report')) assert.ok(text.includes('&amp;lt;already&amp;gt;'), `${name} should escape an ampersand in data`);
    }
    assert.ok(outputs['report.html'].includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
  });
});
