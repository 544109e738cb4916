/**
 * `dbspec trend DIR | A.json B.json ...`: many releases' results -> one history (trend.html, trend.md):
 * status across releases, regressions, fixes and flaky steps apart, metric sparklines, what changed when.
 * Files are taken in the order given (release order); a folder's results are ordered by when they ran.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseProve } from '../results/prove-results.ts';
import { readResults } from '../results/read.ts';
import { buildTrend, type Trend } from '../results/trend.ts';
import type { RunResults } from '../results/types.ts';
import { renderTrendMarkdown, writeTrendReports } from '../report/render-trend.ts';
import { trendView } from '../report/trend-view.ts';
import type { Command } from './command.ts';
import { reportFailure, shown, usageError } from './command-output.ts';
import { appendStepSummary } from './ci-output.ts';

const USAGE = 'dbspec trend (DIR | OLDEST.json ... NEWEST.json) [--out DIR] [--fail-on regression|flaky|never]';
const FAIL_ON = ['regression', 'flaky', 'never'] as const;

/** A folder's `*.json` files and its subfolders' `results.json`, the way `run --out releases/vN` leaves them. */
const filesIn = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const direct = entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join(dir, e.name));
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const file = join(dir, e.name, 'results.json');
        return (await stat(file).catch(() => undefined))?.isFile() ? [file] : [];
      }),
  );
  return [...direct, ...nested.flat()];
};

type Loaded = { readonly run: RunResults; readonly file: string };

const loadRuns = async (positionals: readonly string[]): Promise<Loaded[]> => {
  const read = (files: readonly string[]) => Promise.all(files.map(async (file) => ({ run: await readResults(file), file })));
  if (positionals.length === 1 && (await stat(positionals[0]!).catch(() => undefined))?.isDirectory()) {
    const runs = await read(await filesIn(positionals[0]!));
    return runs.sort((a, b) => Date.parse(a.run.startedAt) - Date.parse(b.run.startedAt));
  }
  return read(positionals);
};

/** `dbspec prove`'s score, when a prove.json sits beside a release's results: one more series in the trend. */
const withProveScores = async (trend: Trend, files: readonly string[]): Promise<Trend> => {
  const scores = await Promise.all(
    files.map(async (file) => {
      const path = join(dirname(file), 'prove.json');
      const text = await readFile(path, 'utf8').catch(() => undefined);
      return text === undefined ? null : (parseProve(text, path).summary.scorePct ?? null);
    }),
  );
  if (scores.every((s) => s === null)) return trend;
  return { ...trend, metrics: [...trend.metrics, { spec: 'dbspec prove', name: 'mutation score %', values: scores }] };
};

const gate = (t: Trend, failOn: (typeof FAIL_ON)[number]): boolean => {
  if (failOn === 'never') return false;
  const latest = t.releases.length - 1;
  // A trend gates on what the newest release brought: a regression that appeared in it, or any flaky step.
  if (failOn === 'regression') return t.steps.some((s) => s.verdict === 'regression' && s.since === latest);
  return t.steps.some((s) => s.verdict === 'flaky' || (s.verdict === 'regression' && s.since === latest));
};

export const trendCommand: Command = {
  name: 'trend',
  summary: 'History over many results.json (releases): status, regressions, fixes, flaky steps, metric sparklines.',
  usage: USAGE,
  options: {
    out: { type: 'string', short: 'o', multiple: false, value: 'DIR', description: 'Folder for trend.html and trend.md.', default: 'reports/out' },
    'fail-on': {
      type: 'string',
      short: 'f',
      multiple: false,
      value: 'WHEN',
      description: 'Exit 1 when the newest release brought a regression, also when any step is flaky, or never.',
      default: 'never',
    },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length === 0) return usageError('trend', 'expected a folder of results or results files, oldest first', USAGE);
    const failOn = values['fail-on'];
    if (typeof failOn !== 'string' || !(FAIL_ON as readonly string[]).includes(failOn))
      return usageError('trend', `--fail-on must be one of ${FAIL_ON.join(', ')}, got '${String(failOn)}'`, USAGE);
    try {
      const loaded = await loadRuns(positionals);
      if (loaded.length === 0) return usageError('trend', `no results files in ${positionals[0]}`, USAGE);
      const files = loaded.map((l) => l.file);
      const trend = await withProveScores(buildTrend(loaded.map((l) => l.run)), files);
      const paths = await writeTrendReports(trend, String(values.out));
      const view = trendView(trend);
      const lines = [`dbspec trend: ${view.first} -> ${view.last}: ${view.verdictText}`];
      for (const section of view.sections)
        for (const item of section.items.slice(0, 10))
          lines.push(`  ${section.id}: ${item.spec} › ${item.step}${item.since ? ` (since ${item.since})` : ''} ${item.strip}`);
      process.stdout.write(`${lines.join('\n')}\nwrote ${paths.map(shown).join(', ')}\n`);
      if (process.env.GITHUB_STEP_SUMMARY) await appendStepSummary(renderTrendMarkdown(trend));
      return gate(trend, failOn as (typeof FAIL_ON)[number]) ? 1 : 0;
    } catch (error) {
      return reportFailure('trend', error);
    }
  },
};
