/**
 * GitHub Actions workflow commands: `::error file=…,line=…::message` annotations, shown on the spec line in
 * a pull request, for failing steps of a run and for what a diff calls a regression. Pure: the lines are
 * printed by the commands (commands/ci-output.ts) only under GITHUB_ACTIONS=true.
 */
import type { ResultsDiff, StatusChange } from '../results/diff.ts';
import { evidenceText } from '../results/timing-evidence.ts';
import { placeIn } from '../results/place.ts';
import type { Place, RunResults, StepResult } from '../results/types.ts';

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data and properties escape differently.
const data = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const property = (text: string): string => data(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** At a place (inside a fixture: the fixture's own line), else on the file alone. */
const annotation = (at: Place | undefined, file: string, title: string, message: string): string => {
  const props = [`file=${property(at?.file ?? file)}`, ...(at ? [`line=${at.line}`, `col=${at.col}`] : []), `title=${property(title)}`];
  return `::error ${props.join(',')}::${data(message)}`;
};

const failing = (s: StepResult) => s.status === 'failed' || s.status === 'errored';

/** One annotation per failing step, at the expectation that failed (else the step). */
export const runAnnotations = (results: RunResults): string[] =>
  results.specs.flatMap((spec) =>
    spec.steps
      .filter(failing)
      .map((step) =>
        annotation(
          placeOfStep(step),
          step.failure?.location ?? step.location,
          `dbspec: ${spec.name} › ${step.name}`,
          step.failure?.message ?? `step ${step.status}`,
        ),
      ),
  );

/** Where the step failed: the expectation that failed, else the step. */
const placeOfStep = (step: StepResult): Place | undefined => (step.failure ? placeIn(step.failure) : undefined) ?? placeIn(step);

const stepPlace = (run: RunResults, c: StatusChange): Place | undefined => {
  const spec = run.specs.find((s) => s.name === c.spec);
  const step = c.step !== undefined ? spec?.steps.find((s) => s.name === c.step) : undefined;
  return step ? placeOfStep(step) : spec && placeIn(spec);
};

/** Newly failing steps (with their cause) and benchmarks slower by their samples, at their spec lines. */
export const diffAnnotations = (d: ResultsDiff, next: RunResults): string[] => {
  const newly = [...d.newlyFailing, ...d.appeared.filter((a) => a.to === 'failed' || a.to === 'errored')].filter((c) => c.step !== undefined);
  const failures = newly.map((c) =>
    annotation(
      stepPlace(next, c),
      c.file,
      `dbspec diff: newly failing${c.cause ? ` (${c.cause})` : ''}`,
      `${c.spec} › ${c.step}: ${c.message ?? `${c.from ?? 'absent'} -> ${c.to}`}`,
    ),
  );
  const slower = d.timings
    .filter((t) => t.direction === 'worse')
    .map((t) => annotation(stepPlace(next, t), t.file, 'dbspec diff: slower', `${t.spec} › ${t.step}: ${evidenceText(t)}`));
  return [...failures, ...slower];
};
