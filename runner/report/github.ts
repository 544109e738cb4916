/**
 * GitHub Actions workflow commands: `::error file=…,line=…::message` annotations, shown on the spec line in
 * a pull request, for failing steps of a run and for what a diff calls a regression. Pure: the lines are
 * printed by the commands (commands/ci-output.ts) only under GITHUB_ACTIONS=true.
 */
import type { ResultsDiff, StatusChange } from '../results/diff.ts';
import { evidenceText } from '../results/timing-evidence.ts';
import type { RunResults, StepResult } from '../results/types.ts';

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data and properties escape differently.
const data = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const property = (text: string): string => data(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** `file:line:col` -> its parts; a location without a line gives the file alone. */
const parts = (location: string): { file: string; line?: string; col?: string } => {
  const m = /^(.*):(\d+):(\d+)$/.exec(location);
  return m ? { file: m[1]!, line: m[2]!, col: m[3]! } : { file: location };
};

export const annotation = (location: string, title: string, message: string): string => {
  const { file, line, col } = parts(location);
  const props = [`file=${property(file)}`, ...(line ? [`line=${line}`] : []), ...(col ? [`col=${col}`] : []), `title=${property(title)}`];
  return `::error ${props.join(',')}::${data(message)}`;
};

const failing = (s: StepResult) => s.status === 'failed' || s.status === 'errored';

/** One annotation per failing step, at the expectation that failed (else the step). */
export const runAnnotations = (results: RunResults): string[] =>
  results.specs.flatMap((spec) =>
    spec.steps
      .filter(failing)
      .map((step) =>
        annotation(step.failure?.location ?? step.location, `dbspec: ${spec.name} › ${step.name}`, step.failure?.message ?? `step ${step.status}`),
      ),
  );

const stepLocation = (run: RunResults, c: StatusChange): string | undefined => {
  const spec = run.specs.find((s) => s.name === c.spec);
  const step = c.step !== undefined ? spec?.steps.find((s) => s.name === c.step) : undefined;
  return step ? (step.failure?.location ?? step.location) : spec?.location;
};

/** Newly failing steps (with their cause) and benchmarks slower by their samples, at their spec lines. */
export const diffAnnotations = (d: ResultsDiff, next: RunResults): string[] => {
  const newly = [...d.newlyFailing, ...d.appeared.filter((a) => a.to === 'failed' || a.to === 'errored')].filter((c) => c.step !== undefined);
  const failures = newly.map((c) =>
    annotation(
      stepLocation(next, c) ?? c.file,
      `dbspec diff: newly failing${c.cause ? ` (${c.cause})` : ''}`,
      `${c.spec} › ${c.step}: ${c.message ?? `${c.from ?? 'absent'} -> ${c.to}`}`,
    ),
  );
  const slower = d.timings
    .filter((t) => t.direction === 'worse')
    .map((t) => annotation(stepLocation(next, t) ?? t.file, 'dbspec diff: slower', `${t.spec} › ${t.step}: ${evidenceText(t)}`));
  return [...failures, ...slower];
};
