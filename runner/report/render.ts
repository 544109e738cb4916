/**
 * results -> report.html (self-contained), report.md (CI job summary) and junit.xml. Rendering is pure; only
 * writeRunReports touches the disk, atomically.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.ts';
import type { RunResults } from '../results/types.ts';
import { renderJunit } from './junit.ts';
import { knownItems } from './known-view.ts';
import { reportView } from './report-view.ts';
import { template } from './templates.ts';
import { fitMarkdown, limit } from './markdown-budget.ts';

/**
 * Handlebars also escapes `=` (as `&#x3D;`) for unquoted attributes; every attribute in our templates is quoted,
 * so `=` can stay readable in SQL. A `&#x3D;` written in the data itself was escaped to `&amp;#x3D;` and is kept.
 */
export const plainEquals = (html: string): string => html.replaceAll('&#x3D;', '=');

export const renderReportHtml = (results: RunResults): string =>
  plainEquals(template('report.html.hbs')({ ...reportView(results), known: knownItems(results) }));

/** Under GitHub's 1 MiB job summary limit: failures first; if too big, the detail is cut and a note says so. */
export const renderReportMarkdown = (results: RunResults): string => {
  const view = { ...reportView(results, { maxRows: 20, chartSpecs: 0, inlineCharts: 0, metricRows: Infinity }), known: knownItems(results) };
  return fitMarkdown((limits) => {
    const details = limit(view.failures, limits.details);
    const failureRows = limit(view.failures, limits.rows);
    const specRows = limit(view.specViews, limits.rows);
    const truncated = details.omitted + failureRows.omitted + specRows.omitted > 0;
    return template('report.md.hbs')({ ...view, details, failureRows, specRows, truncated });
  });
};

/**
 * Renders each file and writes it into outDir (made if missing), atomically, one at a time: a large run's
 * renderings need not all be in memory at once. Returns the paths written, in order.
 */
export const writeRendered = async (outDir: string, files: readonly (readonly [name: string, render: () => string])[]): Promise<string[]> => {
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const [name, render] of files) {
    const path = join(outDir, name);
    await writeFileAtomic(path, render());
    paths.push(path);
  }
  return paths;
};

export const writeRunReports = (results: RunResults, outDir: string): Promise<string[]> =>
  writeRendered(outDir, [
    ['report.html', () => renderReportHtml(results)],
    ['report.md', () => renderReportMarkdown(results)],
    ['junit.xml', () => renderJunit(results)],
  ]);
