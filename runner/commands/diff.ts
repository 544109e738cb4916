/**
 * `dbspec diff OLD.json NEW.json`: what changed between two runs (two releases). Writes diff.html and diff.md,
 * prints a short summary, and exits 1 on a regression (or also on any slower single timing, on any change, or
 * never, per --fail-on).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { diffProve, type ProveChange } from '../results/prove-diff.ts';
import { parseProve } from '../results/prove-results.ts';
import { readResults } from '../results/read.ts';
import { DEFAULT_MIN_MS, DEFAULT_THRESHOLD_PCT, diffResults, hasChange, hasRegression, hasSlowerTiming, type ResultsDiff } from '../results/diff.ts';
import { diffText } from '../report/diff-view.ts';
import { writeDiffReports } from '../report/render-diff.ts';
import type { Command } from './command.ts';
import { reportFailure, shown, usageError } from './command-output.ts';
import { appendStepSummary, printAnnotations } from './ci-output.ts';
import { diffAnnotations } from '../report/github.ts';
import { renderDiffMarkdown } from '../report/render-diff.ts';

const USAGE = 'dbspec diff OLD.json NEW.json [--out DIR] [--fail-on regression|slower|change|never] [--threshold PCT] [--min-ms MS]';
const FAIL_ON = ['regression', 'slower', 'change', 'never'] as const;

const GATES: Readonly<Record<(typeof FAIL_ON)[number], (d: ResultsDiff) => boolean>> = {
  regression: hasRegression,
  slower: hasSlowerTiming,
  change: hasChange,
  never: () => false,
};

/** The score's move when `dbspec prove` wrote a prove.json beside both results files; else undefined. */
const proveBeside = async (oldFile: string, nextFile: string): Promise<ProveChange | undefined> => {
  const read = (file: string) => readFile(join(dirname(file), 'prove.json'), 'utf8').then((text) => parseProve(text, join(dirname(file), 'prove.json')));
  const both = await Promise.all([read(oldFile), read(nextFile)]).catch(() => undefined);
  return both && diffProve(both[0], both[1]);
};

const number = (value: unknown, fallback: number): number | undefined => {
  if (value === undefined) return fallback;
  const n = Number(value);
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Compare two results.json (two releases): newly failing, fixed, changed rows, slower timings.',
  usage: USAGE,
  options: {
    out: {
      type: 'string',
      short: 'o',
      multiple: false,
      value: 'DIR',
      description: "Folder for diff.html and diff.md (default: the new results file's folder).",
    },
    'fail-on': {
      type: 'string',
      short: 'f',
      multiple: false,
      value: 'WHEN',
      description:
        'Exit 1 on a regression (newly failing, or a benchmark slower by its samples); slower: also on any single duration or *_ms number past the threshold (the strict old gate); change: on any change; never.',
      default: 'regression',
    },
    threshold: {
      type: 'string',
      short: 't',
      multiple: false,
      value: 'PCT',
      description: 'Minimum effect: percent a benchmark percentile, duration or metric must move by to count.',
      default: String(DEFAULT_THRESHOLD_PCT),
    },
    'min-ms': {
      type: 'string',
      short: 'm',
      multiple: false,
      value: 'MS',
      // No `default` here: whether it was given decides whether it also holds back benchmark verdicts.
      description: `Single durations and *_ms numbers must also move by more than this many ms to be shown (default: ${DEFAULT_MIN_MS}); given, benchmark verdicts of a smaller move are held back too.`,
    },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length !== 2) return usageError('diff', `expected two results files (old, new), got ${positionals.length}`, USAGE);
    const failOn = values['fail-on'] ?? 'regression';
    if (typeof failOn !== 'string' || !(FAIL_ON as readonly string[]).includes(failOn))
      return usageError('diff', `--fail-on must be one of ${FAIL_ON.join(', ')}, got '${String(failOn)}'`, USAGE);
    const thresholdPct = number(values.threshold, DEFAULT_THRESHOLD_PCT);
    if (thresholdPct === undefined) return usageError('diff', `--threshold must be a percentage such as 20, got '${String(values.threshold)}'`, USAGE);
    const minMs = number(values['min-ms'], DEFAULT_MIN_MS);
    if (minMs === undefined) return usageError('diff', `--min-ms must be a number of milliseconds such as 5, got '${String(values['min-ms'])}'`, USAGE);
    const [oldFile, nextFile] = positionals as [string, string];
    try {
      const [old, next] = await Promise.all([readResults(oldFile), readResults(nextFile)]);
      const prove = await proveBeside(oldFile, nextFile);
      // Given on the command line, --min-ms also holds back sampled verdicts (a benchmark's p50 moving 1 ms).
      const sampleMinMs = values['min-ms'] !== undefined ? minMs : undefined;
      const diff = { ...diffResults(old, next, { thresholdPct, minMs, ...(sampleMinMs !== undefined && { sampleMinMs }) }), ...(prove && { prove }) };
      const paths = await writeDiffReports(diff, typeof values.out === 'string' ? values.out : dirname(nextFile));
      process.stdout.write(diffText(diff) + `wrote ${paths.map(shown).join(', ')}\n`);
      if (process.env.GITHUB_STEP_SUMMARY) await appendStepSummary(renderDiffMarkdown(diff));
      printAnnotations(() => diffAnnotations(diff, next));
      return GATES[failOn as (typeof FAIL_ON)[number]](diff) ? 1 : 0;
    } catch (error) {
      return reportFailure('diff', error);
    }
  },
};
