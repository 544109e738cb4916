/**
 * The results of a run as data: spec results in the stable order (file, then name) and the summary, so that
 * two runs of the same code differ only in timings whatever order the specs finished in.
 */
import { summarize } from './summary.ts';
import { RESULTS_FORMAT, RESULTS_VERSION, type RunResults, type SpecResult } from './types.ts';

export type RunFacts = {
  readonly release: string | null;
  readonly commit: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly interrupted: boolean;
  readonly stoppedAfterFailure?: boolean;
  readonly databases: RunResults['databases'];
  readonly hostname?: string;
  readonly selection?: RunResults['selection'];
};

const byFileThenName = (a: SpecResult, b: SpecResult): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const assembleResults = (specResults: readonly SpecResult[], facts: RunFacts): RunResults => {
  const specs = [...specResults].sort(byFileThenName);
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    release: facts.release,
    commit: facts.commit,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    durationMs: facts.finishedAt.getTime() - facts.startedAt.getTime(),
    interrupted: facts.interrupted,
    ...(facts.stoppedAfterFailure ? { stoppedAfterFailure: true } : {}),
    ...(facts.hostname !== undefined ? { hostname: facts.hostname } : {}),
    ...(facts.selection !== undefined ? { selection: facts.selection } : {}),
    databases: facts.databases,
    summary: summarize(specs),
    specs,
  };
};
