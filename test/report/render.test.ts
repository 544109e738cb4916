import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJunit } from '../../runner/report/junit.ts';
import { fitMarkdown } from '../../runner/report/markdown-budget.ts';
import { renderReportHtml, renderReportMarkdown, writeRunReports } from '../../runner/report/render.ts';
import { readResults } from '../../runner/results/read.ts';
import { summarize } from '../../runner/results/summary.ts';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';
import { bigResults } from '../bench/report.bench.ts';

const fixture = (name: string) => readResults(new URL(`../fixtures/results/${name}.json`, import.meta.url).pathname);
const count = (text: string, needle: string | RegExp) => (typeof needle === 'string' ? text.split(needle).length - 1 : [...text.matchAll(needle)].length);
const inOrder = (text: string, first: string, second: string) => {
  assert.ok(text.includes(first), `missing ${first}`);
  assert.ok(text.includes(second), `missing ${second}`);
  assert.ok(text.indexOf(first) < text.indexOf(second), `${first} should come before ${second}`);
};
/** Planted by the fixtures in row data and spec names: must only ever show as text. */
const assertNoPlantedMarkup = (text: string) => {
  assert.equal(count(text, /<script/gi), 0, 'a <script> tag got through');
  assert.equal(count(text, '<b>roll back</b>'), 0, 'markup in a spec name got through');
  assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the planted script should show as text');
  assert.ok(text.includes('{{x}}'), 'a {{x}} value should show as written');
};

describe('report rendering', () => {
  let failing: RunResults;
  let passing: RunResults;
  let interrupted: RunResults;
  let html: string;
  before(async () => {
    [failing, passing, interrupted] = await Promise.all([fixture('failing'), fixture('passing'), fixture('interrupted')]);
    html = renderReportHtml(failing);
  });

  describe('report.html', () => {
    it('opens with the summary: verdict, counts, release, commit, servers, by tag and by database', () => {
      assert.match(html, /<title>dbspec report · v1\.5\.0<\/title>/);
      assert.match(html, /class="verdict bad">3 of 4 specs failed</);
      assert.match(
        html,
        /<span class="chip passed"><b>1<\/b>passed<\/span><span class="chip failed"><b>2<\/b>failed<\/span><span class="chip errored"><b>1<\/b>errored<\/span>/,
      );
      assert.match(html, /<b>6<\/b>passed/);
      assert.ok(html.includes('9d8e7f6a5b4c'));
      assert.ok(html.includes('PostgreSQL 15.14 (Debian 15.14-0+deb12u1)'));
      assert.ok(html.includes('PostgreSQL 18.1 (embedded)'));
      assert.match(html, /<td>cross-service<\/td><td class="n">0<\/td><td class="n bad">1<\/td><td class="n bad">1<\/td>/);
      assert.ok(html.includes('5.10 s'));
      inOrder(html, 'id="failures"', '<section class="spec');
    });

    it("shows a step's place in its spec as a line, from `at` or, in a file written before `at`, from `location`", () => {
      assert.ok(!('at' in failing.specs[0]!.steps[0]!), 'the fixture is a file written before `at` existed');
      assert.ok(html.includes('<p class="loc">line 11:5</p>'));
      // With `at`, it is read and the text is not: a text that disagrees is not what the report shows.
      const step = failing.specs[0]!.steps[0]!;
      const placed: RunResults = {
        ...failing,
        specs: [{ ...failing.specs[0]!, steps: [{ ...step, location: 'elsewhere', at: { file: failing.specs[0]!.file, line: 7, col: 3 } }] }],
      };
      assert.ok(renderReportHtml(placed).includes('<p class="loc">line 7:3</p>'));
    });

    it('shows expected against actual rows with the differing cells and the extra row marked', () => {
      assert.ok(html.includes('<td class="mark">free</td>'));
      assert.ok(html.includes('<td class="mark">enterprise</td>'));
      assert.match(
        html,
        /<tr class="extra"><td class="i">3 extra<\/td><td class="mark">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td><td class="mark">\{\{x\}\}<\/td><td class="null mark">NULL<\/td><\/tr>/,
      );
      assert.equal(count(html, 'class="mark"'), 4, 'plan in both tables, email and plan of the extra row');
      assert.ok(html.includes('select email, plan, seats from users where id = ${user_id} order by email'));
      assert.ok(html.includes('PostgreSQL: <code>42P01</code> relation &quot;messages&quot; does not exist'));
    });

    it('draws the time per spec and the benchmark percentiles as inline SVG', () => {
      assert.ok(count(html, '<svg class="chart"') >= 3, 'time chart, latency overview, latency in the step');
      assert.match(html, /<text x="\d+" y="\d+" text-anchor="end">p95<\/text><rect class="latency"/);
      assert.match(html, /<text x="\d+" y="\d+" text-anchor="end">email lookups stay fast<\/text><rect class="failed"/);
      assert.ok(html.includes('88 ms'));
    });

    it('collapses passing steps and opens failing ones; the failed-only view needs no script', () => {
      assert.match(html, /<details class="st passed ok"><summary>/);
      assert.match(html, /<details class="st failed" id="spec-1-3" open>/);
      assert.ok(html.includes('<a class="v-failed" href="#failed-only">'));
      assert.ok(html.includes('#failed-only:target~main .spec.ok'));
    });

    it('is self-contained: no script, no link, nothing fetched', () => {
      assertNoPlantedMarkup(html);
      assert.equal(count(html, /\b(src|href)="(https?:)?\/\//g), 0);
      assert.equal(count(html, /<link|@import|url\(/g), 0);
    });

    it('shows the interrupted banner only for an interrupted run', () => {
      assert.ok(renderReportHtml(interrupted).includes('This run was interrupted'));
      const ok = renderReportHtml(passing);
      assert.ok(!ok.includes('This run was interrupted'));
      assert.match(ok, /class="verdict ok">all 4 specs passed</);
    });
  });

  describe('report.md', () => {
    it('puts failures first, in compact tables with marked cells, everything escaped', () => {
      const md = renderReportMarkdown(failing);
      assert.match(md, /^## ❌ dbspec · v1\.5\.0: 3 of 4 specs failed\n/);
      inOrder(md, '### Failures (3)', '### Specs');
      assert.ok(md.includes('| specs | 1 | 2 | 1 | 0 | 4 |'));
      assert.ok(md.includes('| 2 | bob@example.test | 🔸enterprise | 1 |'));
      assert.ok(md.includes('| 3 extra | 🔸&lt;script&gt;alert(1)&lt;/script&gt; | 🔸{{x}} | 🔸NULL |'));
      assert.ok(md.includes('| ❌ | email lookups stay fast | lookups by email stay fast | p95\\_ms was 88.2 ms, bound is 50 ms |'));
      assertNoPlantedMarkup(md);
    });

    it('keeps table cells intact whatever the data holds', () => {
      const spec = failing.specs[0]!;
      const odd: SpecResult = {
        ...spec,
        name: 'pipes | and *stars* and\nnewlines',
        steps: spec.steps.map((s) => (s.failure?.actual ? { ...s, failure: { ...s.failure, actual: { columns: ['a|b'], rows: [['x|y'], ['`tick`']] } } } : s)),
      };
      const md = renderReportMarkdown({ ...failing, specs: [odd] });
      assert.ok(md.includes('pipes \\| and \\*stars\\* and newlines'));
      assert.ok(md.includes('| # | a\\|b |'));
      assert.ok(md.includes('x\\|y'));
    });

    it('stays under 1 MB for a huge run, and says what it left out', function () {
      this.timeout(20_000);
      const huge = bigResults(1500, 10, 60);
      const md = renderReportMarkdown(huge);
      assert.ok(Buffer.byteLength(md) <= 1_000_000, `${Buffer.byteLength(md)} bytes`);
      assert.ok(md.includes('**Truncated:**'));
      assert.match(md, /_Details of \d+ more failures left out/);
      inOrder(md, '### Failures (600)', '### Specs');
      assert.ok(!renderReportMarkdown(failing).includes('Truncated'));
    });

    it('cuts even a single enormous value at a line end, with a note', () => {
      const text = fitMarkdown(() => 'line\n'.repeat(300_000), 100_000);
      assert.ok(Buffer.byteLength(text) <= 100_000);
      assert.match(text, /line\n\n> \*\*Truncated:\*\*/);
    });
  });

  describe('junit.xml', () => {
    it('has one testsuite per spec and one testcase per step, with failures, errors and skips', () => {
      const xml = renderJunit(failing);
      assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="dbspec v1\.5\.0" tests="10" failures="2" errors="1" skipped="1"/);
      assert.equal(count(xml, '<testsuite '), failing.specs.length);
      assert.equal(count(xml, '<testcase '), failing.summary.steps.total);
      assert.ok(xml.includes('<failure message="expected 2 rows, got 3 (1 differs, 1 extra)" type="ROWS_MISMATCH">'));
      assert.match(
        xml,
        /expected \(2 rows\):\n {2}# {2}email \| plan \| seats\n {2}1 {2}ann@example\.test \| pro \| 5\n&gt; 2 {2}bob@example\.test \| free \| 1/,
      );
      assert.ok(xml.includes('<error message="relation &quot;messages&quot; does not exist" type="UNEXPECTED_ERROR">'));
      assert.ok(xml.includes('<skipped/>'));
      assert.ok(xml.includes('name="setup 1"'));
      assertNoPlantedMarkup(xml.replaceAll('&apos;', "'"));
    });

    it('drops characters XML cannot hold', () => {
      const spec = passing.specs[0]!;
      const xml = renderJunit({ ...passing, specs: [{ ...spec, name: 'bell\u0007 and nul\u0000' }], summary: summarize([spec]) });
      assert.ok(xml.includes('name="bell and nul"'));
    });
  });

  it('writes report.html, report.md and junit.xml into a new folder, leaving no temporary files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dbspec-report-'));
    const dir = join(root, 'nested', 'out');
    try {
      const paths = await writeRunReports(failing, dir);
      assert.deepEqual(
        paths,
        ['report.html', 'report.md', 'junit.xml'].map((f) => join(dir, f)),
      );
      assert.deepEqual((await readdir(dir)).sort(), ['junit.xml', 'report.html', 'report.md']);
      assert.equal(await readFile(paths[0]!, 'utf8'), html);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
