/**
 * The part of `dbspec run` after the specs: results.json and the reports, the summary line, and the exit
 * code the results call for.
 */
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { resultsJsonChunks } from '../results/read.ts';
import type { RunResults } from '../results/types.ts';
import { writeRunReports } from '../report/render.ts';
import { fail, shown } from './command-output.ts';
import { plural } from '../wording.ts';

export const summaryLine = (results: RunResults, outDir: string): string => {
  const s = results.summary.specs;
  const parts = [
    `${s.passed} passed`,
    s.failed ? `${s.failed} failed` : '',
    s.errored ? `${s.errored} errored` : '',
    s.skipped ? `${s.skipped} skipped` : '',
  ].filter(Boolean);
  const where = relative(process.cwd(), outDir) || '.';
  return (
    `dbspec: ${plural(s.total, 'spec')}: ${parts.join(', ')} in ${(results.durationMs / 1000).toFixed(1)} s${results.interrupted ? ' (interrupted)' : results.stoppedAfterFailure ? ' (stopped after the first failure: --bail)' : ''}\n` +
    `results: ${join(where, 'results.json')}  report: ${join(where, 'report.html')}\n`
  );
};

/** Writes results.json and the reports; the exit code when that fails. */
export const writeOutputs = async (results: RunResults, outDir: string): Promise<number | undefined> => {
  try {
    await writeFileAtomic(join(outDir, 'results.json'), resultsJsonChunks(results));
    await writeRunReports(results, outDir);
    return undefined;
  } catch (error) {
    return fail([{ kind: 'config', code: 'DBSPEC_OUTPUT', message: `cannot write results and reports to ${shown(outDir)}: ${(error as Error).message}` }]);
  }
};

/** 130 interrupted by a signal, 2 a database was lost, 1 a spec failed or leaked, else 0. */
export const runExitCode = (results: RunResults, run: { readonly interrupted: boolean; readonly runLeaks: readonly string[] }, aborted: boolean): number => {
  if (run.interrupted && aborted) return 130;
  const lost = results.specs.some((s) => s.steps.some((st) => st.failure?.code === 'CONNECTION_LOST'));
  if (lost) return 2;
  const { passed, skipped, total } = results.summary.specs;
  return passed + skipped === total && run.runLeaks.length === 0 && !run.interrupted ? 0 : 1;
};
