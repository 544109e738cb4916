/** prove results -> prove.html (self-contained) and prove.md; only writeProveReports touches the disk, atomically. */
import type { ProveResults } from '../results/prove-results.ts';
import { proveView } from './prove-view.ts';
import { plainEquals, writeRendered } from './render.ts';
import { template } from './templates.ts';

export const renderProveHtml = (results: ProveResults, failUnder?: number): string => plainEquals(template('prove.html.hbs')(proveView(results, failUnder)));

export const renderProveMarkdown = (results: ProveResults, failUnder?: number): string => template('prove.md.hbs')(proveView(results, failUnder));

export const writeProveReports = (results: ProveResults, outDir: string, failUnder?: number): Promise<string[]> =>
  writeRendered(outDir, [
    ['prove.html', () => renderProveHtml(results, failUnder)],
    ['prove.md', () => renderProveMarkdown(results, failUnder)],
  ]);
