/**
 * `dbspec report RESULTS.json [--out DIR]`: re-render report.html, report.md and junit.xml from a saved run.
 */
import { dirname } from 'node:path';
import { readResults } from '../results/read.ts';
import { writeRunReports } from '../report/render.ts';
import type { Command } from './command.ts';
import { reportFailure, shown, usageError } from './command-output.ts';

const USAGE = 'dbspec report RESULTS.json [--out DIR]';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Render report.html, report.md and junit.xml from a saved results.json.',
  usage: USAGE,
  options: {
    out: { type: 'string', short: 'o', multiple: false, value: 'DIR', description: "Folder to write the reports to (default: the results file's folder)." },
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
