/**
 * What a person sees: report.html and diff.html opened in real headless Chromium (the system's, else the
 * one from npm: test/support/browser.ts), driven by playwright-core. Screenshots land in reports/out/ (git-ignored) for a human look.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { renderJunit } from '../../runner/report/junit.ts';
import { writeDiffReports } from '../../runner/report/render-diff.ts';
import { writeRunReports } from '../../runner/report/render.ts';
import { writeFileAtomic } from '../../runner/results/atomic-write.ts';
import { diffResults } from '../../runner/results/diff.ts';
import { readResults } from '../../runner/results/read.ts';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';
import { findBrowser } from '../support/browser.ts';

const OUT = fileURLToPath(new URL('../../reports/out/', import.meta.url));
const fixture = (name: string) => readResults(fileURLToPath(new URL(`../fixtures/results/${name}.json`, import.meta.url)));

/** Row data that would run script if it were ever inserted as markup. */
const HOSTILE_ROWS = [['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned = 2">', null]];

const withHostileRows = (run: RunResults): RunResults => ({
  ...run,
  specs: run.specs.map(
    (spec): SpecResult => ({
      ...spec,
      steps: spec.steps.map((step) =>
        step.failure?.actual
          ? { ...step, failure: { ...step.failure, actual: { ...step.failure.actual, rows: [...step.failure.actual.rows, ...HOSTILE_ROWS] } } }
          : step,
      ),
    }),
  ),
});

describe('reports in a real browser', function () {
  this.timeout(60_000);
  let browser: Browser;
  let found: Awaited<ReturnType<typeof findBrowser>> | undefined;
  let page: Page;
  const dialogs: string[] = [];
  const errors: string[] = [];
  let reportUrl: string;
  let diffUrl: string;
  let junit: string;

  before(async function () {
    // Unpacking the npm Chromium (when there is no system one) takes a while on a loaded machine.
    this.timeout(240_000);
    found = await findBrowser();
    const failing = withHostileRows(await fixture('failing'));
    const dir = join(OUT, 'browser-test');
    await mkdir(dir, { recursive: true });
    await writeRunReports(failing, dir);
    await writeDiffReports(diffResults(await fixture('passing'), failing, { thresholdPct: 20, minMs: 5 }), dir);
    junit = renderJunit(failing);
    await writeFileAtomic(join(dir, 'junit.xml'), junit);
    reportUrl = pathToFileURL(join(dir, 'report.html')).href;
    diffUrl = pathToFileURL(join(dir, 'diff.html')).href;
    browser = await chromium.launch({ executablePath: found.executablePath, args: [...found.args] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    // Self-contained means nothing is fetched: any request but the file itself is a failure.
    page.on('request', (request) => {
      if (request.url() !== reportUrl && request.url() !== diffUrl && !request.url().startsWith('data:')) errors.push(`fetched ${request.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await found?.remove();
  });

  it('report.html shows the summary counts, and the failed step with its differing cells marked', async () => {
    await page.goto(reportUrl);
    assert.equal(await page.locator('.verdict').innerText(), '3 of 4 specs failed');
    const specChips = page.locator('.top .chips').first();
    assert.equal(await specChips.locator('.chip.passed b').innerText(), '1');
    assert.equal(await specChips.locator('.chip.failed b').innerText(), '2');
    assert.equal(await specChips.locator('.chip.errored b').innerText(), '1');
    const step = page.locator('#spec-1-3');
    assert.ok(await step.isVisible());
    assert.match(await step.locator('.fmsg').innerText(), /expected 2 rows, got 3/);
    const marked = await step.locator('td.mark').allInnerTexts();
    assert.deepEqual(marked, ['free', 'enterprise', '<script>alert(1)</script>', '{{x}}', 'NULL']);
    // Browser-side code is passed as text: the test's TypeScript has no DOM types.
    const background = await page.evaluate<string>("getComputedStyle(document.querySelector('#spec-1-3 td.mark')).backgroundColor");
    assert.equal(background, 'rgb(255, 216, 181)', 'marked cells are highlighted');
    assert.ok(await page.getByText('<script>window.__pwned = 1</script>').isVisible(), 'hostile row data is shown as text');
    // A passing step is collapsed: its SQL is there but not shown.
    assert.equal(await page.locator('details.st.ok pre').first().isVisible(), false);
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
  });

  it('report.html ran no script planted in the data', async () => {
    await page.goto(reportUrl);
    assert.equal(await page.evaluate<number>("document.querySelectorAll('script, img, iframe, object').length"), 0);
    assert.equal(await page.evaluate<string>('typeof window.__pwned'), 'undefined');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  });

  it('the failed-only view hides passing specs and steps without any script', async () => {
    await page.goto(reportUrl);
    const passingSpec = page.locator('section.spec.ok').first();
    assert.ok(await passingSpec.isVisible());
    await page.locator('a.v-failed').click();
    assert.equal(await passingSpec.isVisible(), false);
    assert.equal(await page.locator('details.st.ok').first().isVisible(), false);
    assert.ok(await page.locator('#spec-1-3').isVisible());
    await page.screenshot({ path: join(OUT, 'report-failed-only.png') });
    await page.locator('a.v-all').click();
    assert.ok(await passingSpec.isVisible());
  });

  it('diff.html shows the verdict and what newly fails', async () => {
    await page.goto(diffUrl);
    assert.match(await page.locator('#verdict').innerText(), /^Regression: 3 specs newly failing/);
    const rows = await page.locator('#newly-failing tbody tr').allInnerTexts();
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /backend profile matches\s+PASSED\s+FAILED\s+expected 2 rows/);
    assert.equal(await page.evaluate<number>("document.querySelectorAll('script, img').length"), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(OUT, 'diff.png'), fullPage: true });
  });

  it('junit.xml is well-formed XML', async () => {
    const parsed = await page.evaluate<{ error: string | null; suites: number; cases: number }>(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(junit)}, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, suites: doc.querySelectorAll('testsuite').length, cases: doc.querySelectorAll('testcase').length };
    })()`);
    assert.deepEqual(parsed, { error: null, suites: 4, cases: 10 });
  });
});
