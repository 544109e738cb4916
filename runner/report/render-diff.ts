/**
 * ResultsDiff -> diff.html and diff.md from their own templates. Pure but for writeDiffReports.
 */
import type { ResultsDiff } from '../results/diff.ts';
import { diffView } from './diff-view.ts';
import { fitMarkdown, limit } from './markdown-budget.ts';
import { plainEquals, writeRendered } from './render.ts';
import { template } from './templates.ts';

export const renderDiffHtml = (d: ResultsDiff): string => plainEquals(template('diff.html.hbs')(diffView(d)));

export const renderDiffMarkdown = (d: ResultsDiff): string => {
  const view = diffView(d);
  return fitMarkdown((limits) => {
    const cut = <T extends { items: readonly unknown[] }>(section: T, n: number) => {
      const l = limit(section.items, n);
      return { ...section, limited: l.items, omitted: l.omitted };
    };
    return template('diff.md.hbs')({
      ...view,
      statusSections: view.statusSections.map((s) => cut(s, limits.rows)),
      numberSections: view.numberSections.map((s) => cut(s, limits.rows)),
      rowsChanged: cut(view.rowsChanged, limits.details),
    });
  });
};

export const writeDiffReports = (d: ResultsDiff, outDir: string): Promise<string[]> =>
  writeRendered(outDir, [
    ['diff.html', () => renderDiffHtml(d)],
    ['diff.md', () => renderDiffMarkdown(d)],
  ]);
