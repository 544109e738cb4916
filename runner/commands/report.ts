/**
 * `dbspec report RESULTS.json [--out DIR]`: re-render report.html, report.md and junit.xml from a saved run.
 */
import { dirname, relative } from 'node:path';
import { DbspecError, exitCodeFor } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { readResults } from '../results/read.ts';
import { writeRunReports } from '../report/render.ts';
import type { Command } from './command.ts';

/** Prints a command's diagnostics (or an unexpected error, which is a bug) and returns the exit code. */
export const reportFailure = (command: string, error: unknown): number => {
  if (!(error instanceof DbspecError)) throw error;
  for (const d of error.diagnostics) process.stderr.write(`dbspec ${command}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ''}\n`);
  return exitCodeFor(error.diagnostics);
};

export const usageError = (command: string, message: string, usage: string): number => {
  const d: Diagnostic = { kind: 'config', code: 'DBSPEC_USAGE', message: `${message}\nUsage: ${usage}` };
  return reportFailure(command, new DbspecError(d));
};

export const shown = (path: string): string => relative(process.cwd(), path) || path;

const USAGE = 'dbspec report RESULTS.json [--out DIR]';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render report.html, report.md and junit.xml from a saved results.json.',
  usage: USAGE,
  options: {
    out: { type: 'string', short: 'o', multiple: false, value: 'DIR', description: 'Folder to write the reports to (default: the results file\'s folder).' },
  },
  run: async ({ values, positionals }) => {
    if (positionals.length !== 1) return usageError('report', `expected one results file, got ${positionals.length}`, USAGE);
    const file = positionals[0]!;
    try {
      const results = await readResults(file);
      const out = typeof values.out === 'string' ? values.out : dirname(file);
      const paths = await writeRunReports(results, out);
      process.stdout.write(`wrote ${paths.map(shown).join(', ')}\n`);
      return 0;
    } catch (error) {
      return reportFailure('report', error);
    }
  },
};
