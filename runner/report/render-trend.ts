/**
 * Trend -> trend.html (self-contained, inline SVG sparklines) and trend.md (job summary). Pure but for
 * writeTrendReports. Named trend.* so that a folder holding a run's report.html can hold its history too.
 */
import type { Trend } from '../results/trend.ts';
import { fitMarkdown, limit } from './markdown-budget.ts';
import { plainEquals, writeRendered } from './render.ts';
import { template } from './templates.ts';
import { trendView } from './trend-view.ts';

export const renderTrendHtml = (t: Trend): string => plainEquals(template('trend.html.hbs')(trendView(t)));

export const renderTrendMarkdown = (t: Trend): string => {
  const view = trendView(t);
  return fitMarkdown((limits) =>
    template('trend.md.hbs')({
      ...view,
      sections: view.sections.map((s) => ({ ...s, items: limit(s.items, limits.rows).items })),
      specRows: limit(view.specRows, limits.rows).items,
      metrics: limit(view.metrics, limits.rows).items,
    }),
  );
};

export const writeTrendReports = (t: Trend, outDir: string): Promise<string[]> =>
  writeRendered(outDir, [
    ['trend.html', () => renderTrendHtml(t)],
    ['trend.md', () => renderTrendMarkdown(t)],
  ]);
