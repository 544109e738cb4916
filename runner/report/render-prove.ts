/** prove results -> prove.html (self-contained) and prove.md; only writeProveReports touches the disk, atomically. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.ts';
import type { ProveResults } from '../results/prove-results.ts';
import { proveView } from './prove-view.ts';
import { plainEquals } from './render.ts';
import { template } from './templates.ts';

export const renderProveHtml = (results: ProveResults, failUnder?: number): string => plainEquals(template('prove.html.hbs')(proveView(results, failUnder)));

export const renderProveMarkdown = (results: ProveResults, failUnder?: number): string => template('prove.md.hbs')(proveView(results, failUnder));

export const writeProveReports = async (results: ProveResults, outDir: string, failUnder?: number): Promise<string[]> => {
  await mkdir(outDir, { recursive: true });
  const html = join(outDir, 'prove.html');
  const md = join(outDir, 'prove.md');
  await writeFileAtomic(html, renderProveHtml(results, failUnder));
  await writeFileAtomic(md, renderProveMarkdown(results, failUnder));
  return [html, md];
};
